package dev.uvtcp.service;

import java.nio.ByteBuffer;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Direct memory for copies of heap buffers being written. Chunks of {@link #CHUNK} bytes are
 * reused, up to a bound, so steady traffic allocates nothing; larger writes get a buffer of
 * their own that the garbage collector frees. Thread-safe: writers copy on their own thread.
 */
final class DirectBufferPool {

    static final int CHUNK = 64 * 1024;
    private static final int MAX_IDLE_CHUNKS = 256;

    private final Queue<ByteBuffer> idle = new ConcurrentLinkedQueue<>();
    private final AtomicInteger idleCount = new AtomicInteger();

    /** @return a direct buffer with position 0 and limit {@code size} */
    ByteBuffer take(int size) {
        if (size > CHUNK) {
            return ByteBuffer.allocateDirect(size);
        }
        ByteBuffer chunk = idle.poll();
        if (chunk == null) {
            chunk = ByteBuffer.allocateDirect(CHUNK);
        } else {
            idleCount.decrementAndGet();
        }
        return chunk.clear().limit(size);
    }

    /** Returns a buffer obtained from {@link #take(int)}; it must not be used afterwards. */
    void give(ByteBuffer buffer) {
        if (buffer.capacity() == CHUNK && idleCount.incrementAndGet() <= MAX_IDLE_CHUNKS) {
            idle.add(buffer);
        } else if (buffer.capacity() == CHUNK) {
            idleCount.decrementAndGet();
        }
    }
}
