package dev.uvtcp.service;

import java.nio.ByteBuffer;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Direct memory for the bytes a write has to copy (heap buffers, borrowed read views), in
 * power-of-two blocks from {@link #MIN_BLOCK} to {@link #MAX_BLOCK}. Given-back blocks are
 * reused, up to {@link #MAX_IDLE_BYTES} in all, so steady traffic allocates nothing.
 * Thread-safe: writers copy on their own thread.
 *
 * <p>Running out of direct memory is an answer here, not an {@link Error}: {@link #take}
 * returns null, and the write that asked for it fails with ENOBUFS.
 */
final class DirectBufferPool {

    static final int MIN_BLOCK = 1024;
    static final int MAX_BLOCK = 64 * 1024;
    private static final int CLASSES = Integer.numberOfTrailingZeros(MAX_BLOCK)
            - Integer.numberOfTrailingZeros(MIN_BLOCK) + 1;
    private static final long MAX_IDLE_BYTES = 4L * 1024 * 1024;

    @SuppressWarnings("unchecked")
    private final Queue<ByteBuffer>[] idle = new Queue[CLASSES];
    private final AtomicLong idleBytes = new AtomicLong();

    DirectBufferPool() {
        for (int i = 0; i < CLASSES; i++) {
            idle[i] = new ConcurrentLinkedQueue<>();
        }
    }

    /** @return the block size that holds {@code bytes}: a power of two, MIN..MAX_BLOCK */
    static int blockSizeFor(long bytes) {
        if (bytes <= MIN_BLOCK) {
            return MIN_BLOCK;
        }
        if (bytes >= MAX_BLOCK) {
            return MAX_BLOCK;
        }
        return Integer.highestOneBit((int) bytes - 1) << 1;
    }

    /**
     * @param capacity a size {@link #blockSizeFor} gives
     * @return a direct buffer of exactly {@code capacity} bytes, position 0, limit capacity; or
     *     null when the JVM's direct memory limit ({@code -XX:MaxDirectMemorySize}) leaves no
     *     room for it
     */
    ByteBuffer take(int capacity) {
        ByteBuffer reused = idle[classOf(capacity)].poll();
        if (reused != null) {
            idleBytes.addAndGet(-capacity);
            return reused.clear();
        }
        try {
            return ByteBuffer.allocateDirect(capacity);
        } catch (OutOfMemoryError directMemoryExhausted) {
            return null;
        }
    }

    /** Returns a buffer obtained from {@link #take}; it must not be used afterwards. */
    void give(ByteBuffer buffer) {
        int capacity = buffer.capacity();
        if (idleBytes.addAndGet(capacity) <= MAX_IDLE_BYTES) {
            idle[classOf(capacity)].add(buffer);
        } else {
            idleBytes.addAndGet(-capacity); // left to the garbage collector
        }
    }

    private static int classOf(int capacity) {
        return Integer.numberOfTrailingZeros(capacity)
                - Integer.numberOfTrailingZeros(MIN_BLOCK);
    }
}
