package dev.uvtcp;

import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A libuv handle ({@code uv_handle_t}): a long-lived object bound to one {@link Loop}.
 *
 * <p>Threading: every method may be called from any thread. Called on the handle's loop thread
 * it runs at once; called elsewhere it is handed to the loop and, for synchronous methods, the
 * caller waits for the result. Callbacks and stage completions run on the loop thread.
 * A synchronous method called on one loop's thread (in a callback) for a handle of another
 * loop makes the calling loop wait; if that other loop is itself waiting, directly or through
 * further loops, for the calling one, the method throws {@link IllegalStateException} instead
 * of deadlocking both ({@link #close()} then closes without waiting). Handles created on a
 * loop thread are placed on that loop.
 *
 * <p>Lifetime: a handle is open until {@link #close()}. Afterwards the asynchronous methods
 * ({@link Stream#write}, {@link Stream#shutdown()}, {@link Tcp#connect}) throw nothing and
 * return a stage failed with {@link HandleClosedException}; these answer for a closed handle
 * without doing anything: {@link #close()} and {@link Tcp#closeReset()} (no-ops),
 * {@link Stream#stopReading()} (no-op), {@link #isClosed()} and {@link #isClosing()} (true),
 * {@link #isActive()}, {@link Stream#isReadable()} and {@link Stream#isWritable()} (false),
 * {@link #closeFuture()}, {@link #loop()}, {@link #type()}, the attachment accessors and
 * {@link Stream#maxWriteQueueSize()}; every other method throws {@link HandleClosedException}.
 */
@ProviderType
public interface Handle extends AutoCloseable {

    /** @return the loop this handle belongs to ({@code handle->loop}); never changes */
    Loop loop();

    /** @return the handle's type ({@code handle->type}) */
    HandleType type();

    /**
     * @return the object last given to {@link #attach(Object)}, or null ({@code handle->data});
     *     uvtcp never reads it
     */
    Object attachment();

    /**
     * Stores an arbitrary object with the handle ({@code handle->data}). Safe from any thread.
     *
     * @param attachment any object, or null
     * @return the previous attachment, or null
     */
    Object attach(Object attachment);

    /**
     * Closes the handle ({@code uv_close}): its descriptor is closed before this method returns,
     * pending writes, connects and shutdowns fail with ECANCELED (before
     * {@link #closeFuture()} completes), and {@link #closeFuture()} completes once libuv has
     * released it. Idempotent; never throws.
     */
    @Override
    void close();

    /** @return true once {@link #close()} has been called (or the service closed the handle) */
    boolean isClosed();

    /** @return completes on the loop thread when the handle is fully closed; never fails */
    CompletionStage<Void> closeFuture();

    /**
     * {@code uv_is_active}: for a TCP handle, whether it is listening or reading. Pending
     * connects, writes and shutdowns are requests, not counted here (they keep the loop alive
     * all the same, see {@link Loop#isAlive()}). False once closed.
     *
     * @return true if active
     */
    boolean isActive();

    /** @return {@code uv_is_closing}: true if closing or closed */
    boolean isClosing();

    /**
     * {@code uv_ref}: an active referenced handle keeps its loop alive ({@link Loop#isAlive()}).
     * Handles are referenced when created. Idempotent.
     */
    void ref();

    /** {@code uv_unref}: the handle no longer keeps its loop alive. Idempotent. */
    void unref();

    /** @return {@code uv_has_ref} */
    boolean hasRef();

    /**
     * {@code uv_send_buffer_size} (get). On Linux the kernel reports twice the size set.
     *
     * @return the socket's send buffer size in bytes
     * @throws UvException if the handle has no socket yet (EBADF) or the call fails
     */
    int sendBufferSize() throws UvException;

    /**
     * {@code uv_send_buffer_size} (set).
     *
     * @param bytes the size to request, &gt; 0
     * @throws IllegalArgumentException if {@code bytes <= 0}
     * @throws UvException if the handle has no socket yet (EBADF) or the call fails
     */
    void setSendBufferSize(int bytes) throws UvException;

    /**
     * {@code uv_recv_buffer_size} (get).
     *
     * @return the socket's receive buffer size in bytes
     * @throws UvException if the handle has no socket yet (EBADF) or the call fails
     */
    int receiveBufferSize() throws UvException;

    /**
     * {@code uv_recv_buffer_size} (set).
     *
     * @param bytes the size to request, &gt; 0
     * @throws IllegalArgumentException if {@code bytes <= 0}
     * @throws UvException if the handle has no socket yet (EBADF) or the call fails
     */
    void setReceiveBufferSize(int bytes) throws UvException;

    /**
     * {@code uv_fileno}: the operating-system descriptor, for socket options uvtcp does not
     * cover. It stays owned by the handle: do not close it.
     *
     * @return the descriptor
     * @throws UvException at the call: EBADF if the handle has no socket yet
     * @throws HandleClosedException if the handle is closed (libuv: EBADF)
     */
    int fileno() throws UvException;
}
