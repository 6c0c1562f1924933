package dev.uvtcp.service;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * One {@code write} call: the bytes to send as direct buffers (heap bytes copied once into
 * pooled direct memory), kept reachable until libuv is done with them, and the caller's future.
 *
 * <p>Read-only direct buffers are <em>borrowed</em>: they are typically the loop's read buffer
 * handed to a ReadHandler, which is reused as soon as the handler returns. They are sent
 * without copying as far as the kernel takes them at once; only what is left is copied, by
 * {@link #copyBorrowedAfter(int)}.
 */
final class WriteRequest {

    final CompletableFuture<Void> future = new CompletableFuture<>();
    final ByteBuffer[] buffers;
    final int[] positions;
    final int[] lengths;
    final int count;
    final long totalBytes;
    final boolean hasBorrowed;
    private final DirectBufferPool pool;
    private final boolean[] pooled;
    /** The stream whose write queue limit counts this request until it ends; or null. */
    private UvStream accountedTo;
    /** Loop thread: the id the native write was given, checked when libuv completes it. */
    int writeId;
    /** Loop thread: the next request in its stream's queue of writes libuv has not finished. */
    WriteRequest nextPending;

    private WriteRequest(ByteBuffer[] source, DirectBufferPool pool) {
        this.count = source.length;
        this.buffers = new ByteBuffer[count];
        this.positions = new int[count];
        this.lengths = new int[count];
        this.pooled = new boolean[count];
        this.pool = pool;
        long total = 0;
        boolean borrowed = false;
        for (int i = 0; i < count; i++) {
            ByteBuffer src = source[i];
            int length = src.remaining();
            total += length;
            borrowed |= src.isDirect() && src.isReadOnly();
            if (src.isDirect()) {
                buffers[i] = src;
                positions[i] = src.position();
            } else {
                ByteBuffer copy = pool.take(length);
                pooled[i] = true;
                copy.put(0, src, src.position(), length);
                buffers[i] = copy;
                positions[i] = 0;
            }
            lengths[i] = length;
            src.position(src.limit());
        }
        this.totalBytes = total;
        this.hasBorrowed = borrowed;
    }

    /**
     * Loop thread: drops the first {@code written} bytes (already sent) and copies what is
     * left of borrowed buffers into pooled memory, so the request no longer refers to them.
     */
    void copyBorrowedAfter(int written) {
        int skip = written;
        for (int i = 0; i < count; i++) {
            int step = Math.min(skip, lengths[i]);
            positions[i] += step;
            lengths[i] -= step;
            skip -= step;
            ByteBuffer buffer = buffers[i];
            if (lengths[i] > 0 && !pooled[i] && buffer.isReadOnly()) {
                ByteBuffer copy = pool.take(lengths[i]);
                copy.put(0, buffer, positions[i], lengths[i]);
                buffers[i] = copy;
                positions[i] = 0;
                pooled[i] = true;
            }
        }
    }

    /**
     * Captures what {@code source} holds now, on the caller's thread, and advances each
     * buffer's position to its limit.
     *
     * @throws NullPointerException if the array or an element is null
     */
    static WriteRequest capture(ByteBuffer[] source, DirectBufferPool pool) {
        Objects.requireNonNull(source, "buffers");
        if (source.length == 0) {
            throw new IllegalArgumentException("write needs at least one buffer");
        }
        for (int i = 0; i < source.length; i++) {
            Objects.requireNonNull(source[i], "buffers[" + i + "]");
        }
        return new WriteRequest(source, pool);
    }

    /**
     * Caller's thread, before the request is handed to the loop: {@code stream} has counted
     * {@link #totalBytes} against its write queue limit and is told, once, when the request
     * ends ({@link UvStream#writeEnded}).
     */
    void accountTo(UvStream stream) {
        this.accountedTo = stream;
    }

    void complete() {
        release();
        end(true);
        future.complete(null);
    }

    void fail(Throwable error) {
        release();
        end(false);
        future.completeExceptionally(error);
    }

    private void end(boolean written) {
        UvStream stream = accountedTo;
        if (stream != null) {
            accountedTo = null;
            stream.writeEnded(totalBytes, written);
        }
    }

    private void release() {
        for (int i = 0; i < count; i++) {
            if (pooled[i]) {
                pooled[i] = false;
                pool.give(buffers[i]);
            }
            buffers[i] = null;
        }
    }
}
