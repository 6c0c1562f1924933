package dev.uvtcp;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A libuv stream ({@code uv_stream_t}): a duplex byte channel, or a server that accepts them.
 *
 * <p>Threading and lifetime as for {@link Handle}. Asynchronous methods never block the caller;
 * their stages complete on the loop thread. Argument errors (null, negative values) are thrown
 * at once; errors that libuv reports, and use after close, fail the returned stage instead.
 */
@ProviderType
public interface Stream extends Handle {

    /**
     * Starts listening for connections ({@code uv_listen}). For each waiting connection the
     * handler is called and should call {@link #accept()}; until it does, no further
     * connection is taken (they wait in the kernel's backlog).
     *
     * <p>Called again on a listening stream, as libuv allows, it sets the new backlog and
     * handler; a connection waiting for {@link #accept()} keeps waiting.
     *
     * @param backlog the kernel's queue length for pending connections, &gt;= 0
     * @param handler called on the loop thread per waiting connection
     * @throws NullPointerException if handler is null
     * @throws IllegalArgumentException if backlog is negative
     * @throws UvException e.g. EADDRINUSE when the bound address is taken, EINVAL if not bound
     *     or already connected
     */
    void listen(int backlog, ListenHandler handler) throws UvException;

    /**
     * Accepts one waiting connection ({@code uv_accept}) as a new open handle on this stream's
     * loop, owned by the same consumer as this server.
     *
     * @return the connection
     * @throws UvException EAGAIN if no connection is waiting, EINVAL if not listening
     */
    Stream accept() throws UvException;

    /**
     * Starts reading ({@code uv_read_start}): data, EOF and errors go to the handler, on the
     * loop thread, until {@link #stopReading()}, EOF or an error. Calling it again replaces the
     * handler.
     *
     * @param handler receives the data; see {@link ReadHandler} for the buffer's lifetime
     * @throws NullPointerException if handler is null
     * @throws UvException e.g. ENOTCONN if not connected
     */
    void startReading(ReadHandler handler) throws UvException;

    /**
     * Stops reading ({@code uv_read_stop}); no handler call happens after it returns (when
     * called on the loop thread) or after the loop ran it. Idempotent.
     */
    void stopReading();

    /**
     * Writes the bytes between position and limit of each buffer, in order, as one request
     * ({@code uv_write} with several buffers: writev). When nothing is queued, the bytes go out
     * at once ({@code uv_try_write}) and only the rest is queued.
     *
     * <p>Order: writes made from one thread are sent in the order of the calls; writes from
     * several threads in the order their calls took the stream's write queue.
     *
     * <p>Buffer lifetime: each buffer's position is advanced to its limit before this method
     * returns. Heap buffers are copied before it returns, so they may be reused at once; direct
     * buffers are sent without copying and must not be changed until the stage completes.
     * Read-only direct buffers, such as the one a {@link ReadHandler} is given, are treated as
     * borrowed: what the kernel does not take at once (on the loop thread), or all of it (from
     * any other thread), is copied before this method returns, so writing the read buffer from
     * a read callback, to this stream or any other, is safe.
     *
     * <p>Memory: copies are packed into pooled direct memory sized to what they hold, so queued
     * writes hold about the bytes they carry (see {@link #setMaxWriteQueueSize(long)}). A write
     * that would take the stream past its write queue limit, or that finds the JVM's direct
     * memory exhausted ({@code -XX:MaxDirectMemorySize}), is refused: its stage fails with
     * {@link UvException} {@code ENOBUFS}, nothing of it is sent, and <em>every later write on
     * this stream is refused the same way</em> (and {@link #tryWrite} throws it), so that the
     * peer receives an exact prefix of what was written, never a stream with a hole. No
     * {@link Error} is thrown for it.
     *
     * @param buffers one or more buffers; none null
     * @return completes when libuv has handed all bytes to the kernel (on the loop thread it may
     *     already be complete when this method returns); fails with {@link UvException}
     *     (ENOBUFS as above, EPIPE after {@link #shutdown()}, ECONNRESET, ECANCELED when the
     *     handle closed while the write was in libuv's queue) or {@link HandleClosedException}
     *     (the handle was closed before the write reached libuv)
     * @throws NullPointerException if buffers or one of them is null
     * @throws IllegalArgumentException if no buffer is given
     */
    CompletionStage<Void> write(ByteBuffer... buffers);

    /**
     * Writes what the kernel takes now, without queuing ({@code uv_try_write}). Each buffer's
     * position advances past what was written.
     *
     * @param buffers one or more buffers; none null
     * @return the number of bytes written; 0 if none could be (the socket buffer is full or
     *     earlier writes are still queued)
     * @throws NullPointerException if buffers or one of them is null
     * @throws UvException e.g. EPIPE after shutdown, EBADF if not connected
     */
    int tryWrite(ByteBuffer... buffers) throws UvException;

    /**
     * Shuts down the sending side ({@code uv_shutdown}) once queued writes are done: the peer
     * reads EOF, and this side can still read. Writes after it fail with EPIPE.
     *
     * @return completes when the shutdown happened; fails with {@link UvException} (e.g.
     *     ENOTCONN) or {@link HandleClosedException}
     */
    CompletionStage<Void> shutdown();

    /** @return {@code uv_is_readable}: false after EOF, or if never connected */
    boolean isReadable();

    /** @return {@code uv_is_writable}: false after shutdown, or if never connected */
    boolean isWritable();

    /**
     * {@code uv_stream_set_blocking}: makes writes block the loop until done. Rarely wanted.
     *
     * @param blocking true for blocking writes
     * @throws UvException if the stream has no descriptor
     */
    void setBlocking(boolean blocking) throws UvException;

    /** @return {@code write_queue_size}: bytes queued but not yet handed to the kernel */
    long writeQueueSize();

    /**
     * Limits the memory this stream holds for writing, so that a peer that does not read
     * cannot make memory grow without bound. Counted is what queued writes really hold: the
     * direct memory their copies take (packed, about their bytes; at most 1 KiB for a tiny
     * write) and the bytes of the caller's direct buffers they keep, from {@link #write} until
     * the write's stage completes. A write that would take the count above the limit is
     * refused with {@code ENOBUFS}, and so is every later write on this stream (see
     * {@link #write}): a stream that has refused a write has stopped sending. A single write
     * larger than the limit is therefore always refused.
     *
     * <p>New handles start with their service's default (64 MiB unless configured);
     * connections accepted by a server made with {@link ListenOptions} start with its
     * {@link ListenOptions#maxWriteQueueBytes()}. Any thread; takes effect for the next write.
     * {@link #tryWrite} never queues and is not limited.
     *
     * @param bytes the limit, &gt;= 1; {@link Long#MAX_VALUE} for none
     * @throws IllegalArgumentException if bytes is less than 1
     * @throws HandleClosedException if the handle is closed
     */
    void setMaxWriteQueueSize(long bytes);

    /**
     * @return the write queue limit in bytes ({@link #setMaxWriteQueueSize(long)}); also
     *     answers for a closed handle
     */
    long maxWriteQueueSize();
}
