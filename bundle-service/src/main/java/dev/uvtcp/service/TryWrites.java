package dev.uvtcp.service;

import dev.uvtcp.UvException;
import dev.uvtcp.jni.ErrorCodes;
import dev.uvtcp.jni.IoVectors;
import dev.uvtcp.jni.UvNative;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The writes of a stream that go to the kernel at once or not at all ({@code uv_try_write}):
 * the fast path of {@code write} when nothing is queued, and {@code tryWrite}. What they could
 * not send is the {@link WriteQueue}'s business. Static, on the stream's fields: no object and
 * no allocation per write on the fast path.
 *
 * <p>Threading: the stream's loop thread only.
 */
final class TryWrites {

    /** The result of every write that the kernel took whole at once; shareable, immutable. */
    static final CompletionStage<Void> WRITTEN = CompletableFuture.completedStage(null);

    private TryWrites() {
    }

    /**
     * The fast path of {@code write}: when nothing is queued, one {@code uv_try_write} of a
     * direct buffer; if the kernel takes every byte, the write is done with no allocation and
     * one JNI crossing. Returns null when the general path must go on: for a heap buffer, a
     * closed handle, queued writes (nothing was sent then), or a partial write (the buffer's
     * position is advanced past what was sent, and the general path queues the rest, copying
     * it if the buffer is borrowed).
     */
    static CompletionStage<Void> writeAll(UvStream stream, ByteBuffer src) {
        WriteQueue queue = stream.writeQueueOrNull();
        // shutdown() marks the queue (made then) at the call: idleOnLoop covers it too.
        if (!src.isDirect() || !stream.isOpen() || (queue != null && !queue.idleOnLoop())) {
            return null;
        }
        int length = src.remaining();
        if (length == 0) {
            return null;
        }
        int position = src.position();
        EventLoop loop = stream.loop;
        long base = loop.isReadView(src) ? loop.readBufferAddress() // an echo
                : UvNative.bufferAddress(src);
        int written = UvNative.tryWrite1(stream.address, base + position, length);
        if (written != length) {
            if (written > 0) {
                // Sent in part: the general path sends the rest (and copies it if borrowed).
                stream.countWritten(written);
                src.position(position + written);
            }
            if (written >= 0 || written == ErrorCodes.EAGAIN) {
                return null;
            }
            src.position(src.limit());
            return CompletableFuture.failedStage(stream.writeError(written));
        }
        src.position(src.limit());
        stream.wrote(written);
        return WRITTEN;
    }

    /**
     * {@code tryWrite}: sends what the kernel takes now, copying heap buffers into pooled
     * scratch memory for the call; advances the buffers past what was sent.
     *
     * @return the bytes sent; 0 if writes are queued (they go first, as libuv's {@code
     *     uv_try_write} answers EAGAIN then) or the kernel takes nothing now
     */
    static int tryWrite(UvStream stream, ByteBuffer[] source) throws UvException {
        WriteQueue queue = stream.writeQueueOrNull();
        if (queue != null && queue.refusal() != null) {
            throw queue.refusal(); // sending now would leave a gap where the refused write was
        }
        if (queue != null && queue.shutDown()) {
            throw stream.writeError(ErrorCodes.EPIPE, true);
        }
        if (queue != null && !queue.idleOnLoop()) {
            return 0;
        }
        DirectBufferPool pool = stream.bufferPool();
        int count = source.length;
        ByteBuffer[] copies = new ByteBuffer[count];
        IoVectors vectors = stream.loop.ioVectors();
        try {
            for (int i = 0; i < count; i++) {
                ByteBuffer src = source[i];
                int length = src.remaining();
                if (length == 0) {
                    continue;
                }
                if (src.isDirect()) {
                    vectors.add(UvNative.bufferAddress(src) + src.position(), length);
                } else {
                    copies[i] = scratchCopy(stream, pool, src);
                    vectors.add(UvNative.bufferAddress(copies[i]), length);
                }
            }
            if (vectors.count() == 0) {
                return 0;
            }
            int written = UvNative.tryWrite(stream.address, vectors.address(), vectors.count());
            if (written == ErrorCodes.EAGAIN) {
                return 0;
            }
            if (written < 0) {
                throw stream.writeError(written);
            }
            int left = written;
            for (ByteBuffer src : source) {
                int step = Math.min(left, src.remaining());
                src.position(src.position() + step);
                left -= step;
            }
            stream.countWritten(written);
            return written;
        } finally {
            vectors.clear();
            for (ByteBuffer copy : copies) {
                if (copy != null && copy.capacity() <= DirectBufferPool.MAX_BLOCK) {
                    pool.give(copy);
                }
            }
        }
    }

    /** A direct copy of a heap buffer's remaining bytes for one try-write. */
    private static ByteBuffer scratchCopy(UvStream stream, DirectBufferPool pool,
            ByteBuffer src) throws UvException {
        int length = src.remaining();
        ByteBuffer copy = null;
        if (length <= DirectBufferPool.MAX_BLOCK) {
            copy = pool.take(DirectBufferPool.blockSizeFor(length));
        } else {
            try {
                copy = ByteBuffer.allocateDirect(length);
            } catch (OutOfMemoryError directMemoryExhausted) {
                copy = null;
            }
        }
        if (copy == null) {
            throw UvErrors.exception(ErrorCodes.ENOBUFS, "tryWrite to " + stream.label()
                    + ": the JVM's direct memory is exhausted (-XX:MaxDirectMemorySize)");
        }
        copy.put(0, src, src.position(), length);
        return copy;
    }
}
