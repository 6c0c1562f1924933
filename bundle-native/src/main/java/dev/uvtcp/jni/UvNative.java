package dev.uvtcp.jni;

import java.nio.ByteBuffer;

/**
 * The JNI boundary: one static native method per libuv function uvtcp uses, each a thin 1:1
 * call plus argument conversion. This is the only class in uvtcp that declares {@code native}
 * methods.
 *
 * <p><b>Internal.</b> Only the uvtcp service core may call this class. Nothing here checks
 * arguments: an address must be one returned by this class and not yet freed, and callers
 * must hold to the threading rule below, or the JVM may crash.
 *
 * <p>Threading: every method taking a loop or handle address must be called on the thread that
 * runs that loop, except {@link #loopWakeup(long)}, which any thread may call while the loop
 * exists. Callbacks ({@link LoopCallbacks}, one object per loop, handles named by the id
 * given to {@link #tcpInit}) only happen inside {@link #loopRun(long, int)}.
 *
 * <p>Return values: methods returning {@code int} return 0 (or a non-negative result) on
 * success and a negative libuv error code on failure; methods returning an address return a
 * negative libuv error code on failure (user-space addresses are never negative on the
 * supported platforms).
 */
public final class UvNative {

    /** {@code uv_run} mode: run until there are no active and referenced handles or requests. */
    public static final int RUN_DEFAULT = 0;
    /** {@code uv_run} mode: poll for I/O once, blocking if there are no pending callbacks. */
    public static final int RUN_ONCE = 1;
    /** {@code uv_run} mode: poll for I/O once without blocking. */
    public static final int RUN_NOWAIT = 2;

    /** {@link #tcpInit} domain: no socket yet ({@code uv_tcp_init}). */
    public static final int DOMAIN_UNSPEC = 0;
    /** {@link #tcpInit} domain: an IPv4 socket is created now ({@code uv_tcp_init_ex}). */
    public static final int DOMAIN_INET = 4;
    /** {@link #tcpInit} domain: an IPv6 socket is created now ({@code uv_tcp_init_ex}). */
    public static final int DOMAIN_INET6 = 6;

    /**
     * Bytes per buffer in the arrays {@link #write} and {@link #tryWrite} read: the buffer's
     * address, then its length, each a 64-bit value in native byte order.
     */
    public static final int IOV_BYTES = 16;

    /** Bytes of one read event in a loop's batch of reads (see {@link LoopCallbacks}). */
    static final int READ_EVENT_BYTES = 16;

    /** {@link #write} result: everything was written at once; no callback will follow. */
    public static final int WRITE_DONE = 1;
    /** {@link #write} result: a {@code uv_write} was queued; {@code onWrite} will follow. */
    public static final int WRITE_QUEUED = 0;

    /** {@link #tcpSocketOption}: {@code TCP_NODELAY} (0 or 1). */
    public static final int OPTION_TCP_NODELAY = 1;
    /** {@link #tcpSocketOption}: {@code SO_KEEPALIVE} (0 or 1). */
    public static final int OPTION_SO_KEEPALIVE = 2;
    /** {@link #tcpSocketOption}: {@code TCP_KEEPIDLE} in seconds. */
    public static final int OPTION_TCP_KEEPIDLE = 3;

    /**
     * Length of the array {@link #tcpSockName} and {@link #tcpPeerName} fill: byte 0 is the
     * family (4 or 6), bytes 1-2 the port (big-endian), bytes 3-6 the IPv6 scope id
     * (big-endian), then 4 or 16 address bytes.
     */
    public static final int SOCKADDR_BYTES = 23;

    static {
        NativeLibrary.load();
    }

    private UvNative() {
    }

    // ---- errors and version (any thread) ----

    /** @return {@code uv_err_name(code)}, e.g. {@code "EADDRINUSE"} */
    public static native String errName(int code);

    /** @return {@code uv_strerror(code)} */
    public static native String strError(int code);

    /**
     * @param name a libuv error name such as {@code "ECONNREFUSED"}
     * @return its code on this platform ({@code UV_<name>}), or 0 if libuv has no such name
     */
    public static native int errCode(String name);

    /** @return {@code uv_version_string()} */
    public static native String version();

    // ---- loop ----

    /**
     * Creates a loop ({@code uv_loop_init}) with an async handle for wake-ups and the check and
     * prepare handles that deliver its batches of reads ({@link LoopCallbacks#onRead}).
     *
     * @param readBuffer direct buffer (at most 2 GiB) the reads of one batch are laid out in,
     *     one after the other; must stay reachable until {@link #loopDelete(long)} succeeds
     * @param callbacks receives wake-ups and every handle's events; held by a global
     *     reference until loopDelete
     * @return the loop address, or a negative error code
     */
    public static long loopNew(ByteBuffer readBuffer, LoopCallbacks callbacks) {
        return loopNew0(readBuffer, callbacks == null ? null : callbacks.readEvents(), callbacks);
    }

    private static native long loopNew0(ByteBuffer readBuffer, ByteBuffer readEvents,
            LoopCallbacks callbacks);

    /** {@code uv_run}. Callbacks happen only inside this call. @return uv_run's result */
    public static native int loopRun(long loop, int mode);

    /** {@code uv_async_send} on the loop's async handle. Any thread, while the loop exists. */
    public static native void loopWakeup(long loop);

    /** {@code uv_stop}. */
    public static native void loopStop(long loop);

    /**
     * Starts tearing the loop down: closes its async handle and {@code uv_close}s every handle
     * not yet closing (their {@code onClose} follows inside the next loopRun). After this call
     * {@link #loopWakeup(long)} must not be called any more.
     */
    public static native void loopCloseAll(long loop);

    /**
     * {@code uv_loop_close} and frees the loop.
     *
     * @return 0 when freed (the address is dead), or {@code UV_EBUSY} if handles are still open:
     *     run the loop again and retry
     */
    public static native int loopDelete(long loop);

    /**
     * @return true if the loop has an active, referenced handle other than its own async
     *     handle, or an active request: what would keep {@code uv_run(DEFAULT)} running
     */
    public static native boolean loopAlive(long loop);

    /** @return {@code uv_now}, the loop's cached time in milliseconds */
    public static native long loopNow(long loop);

    /**
     * Loop thread: reads made but not yet delivered ({@link LoopCallbacks#onRead}): they go to
     * Java after the poll phase, so an up-call of another kind may come in between. A batch
     * counts until its {@link LoopCallbacks#onReads} has returned, so inside it too.
     *
     * @return the number of reads waiting in the loop's batch, or being handed out
     */
    public static native int loopPendingReads(long loop);

    // ---- handle ----

    /** {@code uv_close}; {@code onClose} follows. No effect if already closing. */
    public static native void close(long handle);

    /** @return {@code uv_handle_get_type} as libuv's enum value */
    public static native int handleType(long handle);

    /** {@code uv_is_active}. */
    public static native boolean isActive(long handle);

    /** {@code uv_is_closing}. */
    public static native boolean isClosing(long handle);

    /** {@code uv_ref}. */
    public static native void ref(long handle);

    /** {@code uv_unref}. */
    public static native void unref(long handle);

    /** {@code uv_has_ref}. */
    public static native boolean hasRef(long handle);

    /**
     * {@code uv_send_buffer_size}.
     *
     * @param value 0 to read the size, otherwise the size to set
     * @return the size read (or 0 after a set), or a negative error code
     */
    public static native int sendBufferSize(long handle, int value);

    /** {@code uv_recv_buffer_size}; see {@link #sendBufferSize(long, int)}. */
    public static native int recvBufferSize(long handle, int value);

    /** @return {@code uv_fileno}: the descriptor, or a negative error code */
    public static native int fileno(long handle);

    // ---- stream ----

    /** {@code uv_listen}; {@code onConnection} follows per incoming connection. */
    public static native int listen(long stream, int backlog);

    /** {@code uv_accept(server, client)}; client must be an initialised handle on the same loop. */
    public static native int accept(long server, long client);

    /** {@code uv_read_start}; reads go to the loop's read buffer and {@code onRead}. */
    public static native int readStart(long stream);

    /** {@code uv_read_stop}. */
    public static native int readStop(long stream);

    /**
     * Writes {@code count} buffers as one request ({@code uv_write}, i.e. writev). With
     * {@code tryFirst} it first calls {@code uv_try_write} and queues only what was not written.
     * The memory of every buffer must stay valid and unchanged until {@code onWrite} for this
     * request (or until this call returns, if it returns {@link #WRITE_DONE} or an error).
     *
     * @param iov the address of {@code count} entries of {@link #IOV_BYTES} bytes (address and
     *     length of each buffer), read during this call only
     * @return {@link #WRITE_DONE}, {@link #WRITE_QUEUED} or a negative error code (no callback)
     */
    public static native int write(long stream, int requestId, long iov, int count,
            boolean tryFirst);

    /**
     * {@code uv_try_write} of {@code count} buffers laid out as for {@link #write}.
     *
     * @return bytes written, or a negative error code ({@code UV_EAGAIN} if nothing could be)
     */
    public static native int tryWrite(long stream, long iov, int count);

    /**
     * {@code uv_try_write} of the {@code length} bytes at {@code address}: the hot path of an
     * echo (the loop's read buffer, written back from the read callback).
     *
     * @return bytes written, or a negative error code ({@code UV_EAGAIN} if nothing could be)
     */
    public static native int tryWrite1(long stream, long address, int length);

    /**
     * {@code GetDirectBufferAddress}: where a direct buffer's memory starts.
     *
     * @return the address, or 0 for a buffer without one (a heap buffer, or null)
     */
    public static native long bufferAddress(ByteBuffer buffer);

    /** {@code uv_shutdown}; {@code onShutdown} follows. */
    public static native int shutdown(long stream);

    /** {@code uv_is_readable}. */
    public static native boolean isReadable(long stream);

    /** {@code uv_is_writable}. */
    public static native boolean isWritable(long stream);

    /** {@code uv_stream_set_blocking}. */
    public static native int setBlocking(long stream, boolean blocking);

    /** @return the stream's {@code write_queue_size} field */
    public static native long writeQueueSize(long stream);

    // ---- tcp ----

    /**
     * Allocates and initialises a TCP handle ({@code uv_tcp_init}, or {@code uv_tcp_init_ex}
     * for {@link #DOMAIN_INET} / {@link #DOMAIN_INET6}).
     *
     * @param id the handle's id in its loop's table: every event of the handle reaches the
     *     loop's {@link LoopCallbacks} with it, until (and including) {@code onClose}
     * @return the handle address, or a negative error code (nothing allocated then)
     */
    public static native long tcpInit(long loop, int domain, int id);

    /**
     * {@code uv_tcp_open} of a private duplicate of {@code fd}
     * ({@code fcntl(fd, F_DUPFD_CLOEXEC)}): the handle owns and closes the duplicate, the
     * caller keeps {@code fd} and must close it. The duplicate is checked before libuv sees
     * it; as nobody else can close or reuse its number, the check cannot be raced. The two
     * descriptors share one open file description, so the {@code O_NONBLOCK} that
     * {@code uv_tcp_open} sets is seen through {@code fd} too. Call on the loop's thread, on a
     * handle without a socket; on failure the handle stays without one and nothing is left
     * open.
     *
     * @param fd any descriptor number
     * @return 0, or a negative error code: {@code UV_EBADF} if {@code fd} is negative or not
     *     open, {@code UV_ENOTSOCK} if it is not a socket (a file, directory, pipe, device),
     *     {@code UV_EPROTOTYPE} if it is a socket but not a stream socket (e.g. UDP),
     *     {@code UV_EMFILE} if no descriptor is left for the duplicate, or libuv's error
     */
    public static native int tcpOpen(long tcp, int fd);

    /** {@code uv_tcp_nodelay}. */
    public static native int tcpNoDelay(long tcp, boolean enable);

    /** {@code uv_tcp_keepalive}. */
    public static native int tcpKeepAlive(long tcp, boolean enable, int delaySeconds);

    /** {@code uv_tcp_simultaneous_accepts}. */
    public static native int tcpSimultaneousAccepts(long tcp, boolean enable);

    /**
     * {@code uv_tcp_bind}.
     *
     * @param address 4 (IPv4) or 16 (IPv6) address bytes
     */
    public static native int tcpBind(long tcp, byte[] address, int port, int scopeId,
            boolean ipv6Only);

    /** {@code uv_tcp_getsockname} into {@code out} ({@link #SOCKADDR_BYTES} layout). */
    public static native int tcpSockName(long tcp, byte[] out);

    /** {@code uv_tcp_getpeername} into {@code out} ({@link #SOCKADDR_BYTES} layout). */
    public static native int tcpPeerName(long tcp, byte[] out);

    /** {@code uv_tcp_connect}; {@code onConnect} follows unless this returns an error. */
    public static native int tcpConnect(long tcp, byte[] address, int port, int scopeId);

    /** {@code uv_tcp_close_reset}; {@code onClose} follows unless this returns an error. */
    public static native int tcpCloseReset(long tcp);

    /**
     * Reads a socket option of the handle's descriptor with {@code getsockopt}, so that what
     * libuv set can be read back.
     *
     * @param option one of the {@code OPTION_*} constants
     * @return the option's value, or a negative error code
     */
    public static native int tcpSocketOption(long tcp, int option);

    /**
     * Sets {@code SO_REUSEPORT} on the handle's socket, so that several handles (one per loop)
     * can listen on the same address and the kernel spreads incoming connections over them.
     * The socket must exist ({@link #tcpInit} with {@link #DOMAIN_INET} or
     * {@link #DOMAIN_INET6}) and not be bound yet. libuv 1.44 ignores its own
     * {@code UV_TCP_REUSEPORT} flag (added in 1.49), hence this call.
     *
     * @return 0 or a negative error code ({@code UV_EBADF} if the handle has no socket yet)
     */
    public static native int tcpReusePort(long tcp);

    // ---- plain descriptors (for uv_tcp_open callers) ----

    /**
     * {@code socket(domain, SOCK_STREAM | SOCK_CLOEXEC, 0)}: a descriptor created outside
     * libuv, for {@link #tcpOpen}. It stays the caller's, also after {@code tcpOpen}: close
     * it with {@link #socketClose}.
     *
     * @param domain {@link #DOMAIN_INET} or {@link #DOMAIN_INET6}
     * @return the descriptor or a negative error code
     */
    public static native int socketNew(int domain);

    /** {@code close(fd)} of a descriptor not owned by a handle. @return 0 or negative error */
    public static native int socketClose(int fd);
}
