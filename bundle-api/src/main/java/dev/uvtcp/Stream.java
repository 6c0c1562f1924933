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
 * When libuv refuses a request at once (e.g. {@link #shutdown()} answering ENOTCONN) and the
 * method was called on the loop thread, the stage has already failed when the method returns.
 *
 * <p>A write's stage may already be complete when {@link #write} returns: called on the loop
 * thread with nothing queued, a write the kernel takes whole is done inside the call. A
 * dependent action attached to a stage that is already complete runs at once on the thread
 * attaching it ({@link java.util.concurrent.CompletableFuture}'s rule), not necessarily the loop
 * thread.
 *
 * <p>Writes end in the order they reach the loop (for one calling thread, the order of the
 * calls). Closing the stream ends every write still pending, in that order, before
 * {@link #closeFuture()} completes: those the kernel has not taken fail with a
 * {@link UvException} ECANCELED; a write that reaches the loop after {@link #close()} fails
 * with {@link HandleClosedException}.
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
     * <p>On a TCP handle that was never bound, libuv binds it, as {@code listen(2)} does, to a
     * free port of every IPv4 interface (0.0.0.0): bind first to stay on one address.
     *
     * @param backlog the kernel's queue length for pending connections, &gt;= 0
     * @param handler called on the loop thread per waiting connection
     * @throws NullPointerException if handler is null
     * @throws IllegalArgumentException if backlog is negative
     * @throws UvException at the call: EADDRINUSE when the bound address is taken (libuv
     *     reports it here, not at {@code bind}), EINVAL if the stream is connected
     * @throws HandleClosedException if the handle is closed
     */
    void listen(int backlog, ListenHandler handler) throws UvException;

    /**
     * Accepts one waiting connection ({@code uv_accept}) as a new open handle on this stream's
     * loop, owned by the same consumer as this server. Typically called from the
     * {@link ListenHandler}; it may also be called later, from any thread, while the
     * connection waits.
     *
     * @return the connection
     * @throws UvException at the call: EAGAIN if no connection is waiting, which is also
     *     libuv's answer on a stream that is not listening; no handle is left behind then
     * @throws HandleClosedException if this stream is closed
     */
    Stream accept() throws UvException;

    /**
     * Starts reading ({@code uv_read_start}): data, EOF and errors go to the handler, on the
     * loop thread, until {@link #stopReading()}, EOF or an error. Calling it again replaces the
     * handler.
     *
     * <p>Unlike libuv, which answers EALREADY on a reading stream, calling it again replaces
     * the handler. After EOF reading may start again (libuv keeps the stream readable at the
     * socket level); the new handler then gets EOF again.
     *
     * @param handler receives the data; see {@link ReadHandler} for the buffer's lifetime
     * @throws NullPointerException if handler is null
     * @throws UvException at the call: ENOTCONN if the stream cannot read: never connected
     *     (also a listening server) or after a read error
     * @throws HandleClosedException if the handle is closed
     */
    void startReading(ReadHandler handler) throws UvException;

    /**
     * Stops reading ({@code uv_read_stop}); no handler call happens after it returns (when
     * called on the loop thread) or after the loop ran it, with one exception: the reads of one
     * poll phase are handed out together after it, so bytes this stream read in that poll phase
     * before the call (taken from the kernel already) still go to the handler they were read
     * for, before the next poll phase; nothing is lost. That happens only when it is called on
     * the loop thread between a read and its hand-out: from another stream's handler, a task,
     * or a write's or connect's stage. An end of stream or a read error read then is not
     * delivered: the next {@link #startReading} reads the end again (a read error then shows
     * as an end). Idempotent.
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
     * @return the number of bytes written; 0 if none could be (the socket buffer is full,
     *     earlier writes are still queued, or a connect is pending) or the buffers are empty
     * @throws NullPointerException if buffers or one of them is null
     * @throws UvException at the call: EBADF if the handle has no socket yet (a
     *     {@code newTcp()} never bound nor connected); EPIPE if it has one that cannot write:
     *     not connected (bound, or a listening server), after {@link #shutdown()} or after a
     *     read error; EPIPE or ECONNRESET once the peer has closed or reset the connection
     * @throws HandleClosedException if the handle is closed
     */
    int tryWrite(ByteBuffer... buffers) throws UvException;

    /**
     * Shuts down the sending side ({@code uv_shutdown}) once queued writes are done: the peer
     * reads EOF, and this side can still read. From this call on {@link #isWritable()} is
     * false and writes fail with EPIPE.
     *
     * <p>Answers as libuv 1.44 does; nothing is thrown, every answer comes through the stage:
     * <ul>
     *   <li>it completes, on the loop thread, once the writes queued before it went out and
     *       the socket's sending side is shut;
     *   <li>it fails with {@link UvException} ENOTCONN when libuv refuses the request: the
     *       stream cannot write (never connected, a listening server, after a read error), or
     *       a shutdown was already requested, whether still pending or completed (a second
     *       shutdown never disturbs the first, which completes normally);
     *   <li>it fails with {@link UvException} ECANCELED when the handle is closed before the
     *       shutdown happened;
     *   <li>it fails with {@link HandleClosedException} when the handle was already closed
     *       (where libuv would answer ENOTCONN).
     * </ul>
     * While a shutdown is pending, {@link Tcp#closeReset()} is refused with EINVAL.
     *
     * @return completes when the shutdown happened, or fails as above
     */
    CompletionStage<Void> shutdown();

    /**
     * @return {@code uv_is_readable}, except after EOF: false after EOF (libuv 1.44 still
     *     answers true then), after a read error, if never connected, or once closed
     */
    boolean isReadable();

    /**
     * @return {@code uv_is_writable}: false from {@link #shutdown()} on, after a read error, if
     *     never connected, or once closed
     */
    boolean isWritable();

    /**
     * {@code uv_stream_set_blocking}: makes writes block the loop until done. Rarely wanted.
     *
     * @param blocking true for blocking writes
     * @throws UvException at the call: EBADF if the stream has no socket yet
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
