package dev.uvtcp;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A libuv TCP handle ({@code uv_tcp_t}): a TCP connection, or a TCP server.
 *
 * <p>Threading and lifetime as for {@link Handle}: every method may be called from any thread;
 * callbacks and stage completions run on the loop thread.
 *
 * <p>Addresses must be resolved ({@code new InetSocketAddress("127.0.0.1", 7007)}): uvtcp does
 * no name lookups on the loop thread, and an unresolved address is refused with
 * {@link IllegalArgumentException}.
 */
@ProviderType
public interface Tcp extends Stream {

    /**
     * {@code uv_tcp_bind}. A port in use is reported by {@link #listen}, {@link #localAddress()}
     * or the connect, as libuv does, not always here.
     *
     * @param address a resolved address; port 0 picks a free port
     * @param flags {@link BindFlag#IPV6_ONLY} to turn off dual-stack on an IPv6 address
     * @throws NullPointerException if address or a flag is null
     * @throws IllegalArgumentException if the address is unresolved
     * @throws UvException e.g. EADDRINUSE, EADDRNOTAVAIL, EINVAL if already bound
     */
    void bind(InetSocketAddress address, BindFlag... flags) throws UvException;

    /**
     * {@code uv_tcp_connect}.
     *
     * @param address a resolved remote address, port 1-65535
     * @return completes when connected; fails with {@link UvException} (ECONNREFUSED,
     *     ETIMEDOUT, ECANCELED if closed first, EALREADY/EISCONN) or
     *     {@link HandleClosedException}
     * @throws NullPointerException if address is null
     * @throws IllegalArgumentException if the address is unresolved or its port is 0
     */
    CompletionStage<Void> connect(InetSocketAddress address);

    /**
     * {@code uv_tcp_connect} with a deadline. libuv cannot cancel a connect, so when the
     * timeout passes first the handle is closed (as by {@link #close()}) and the stage fails
     * with a {@link UvException} {@code ETIMEDOUT}. Without a timeout a connect to a host that
     * does not answer takes as long as the kernel's SYN retries (over two minutes on Linux).
     *
     * <p>Threading: the timeout is measured from the call, and the handle is closed on its loop
     * thread; the stage completes there either way.
     *
     * @param address a resolved remote address, port 1-65535
     * @param timeout how long to wait for the connection, at least 1 ms
     * @return as {@link #connect(InetSocketAddress)}, or failing with {@code ETIMEDOUT}
     * @throws NullPointerException if address or timeout is null
     * @throws IllegalArgumentException if the address is unresolved, its port is 0, or the
     *     timeout is shorter than 1 ms
     */
    CompletionStage<Void> connect(InetSocketAddress address, java.time.Duration timeout);

    /** {@inheritDoc} The connection is a {@link Tcp}. */
    @Override
    Tcp accept() throws UvException;

    /**
     * @return {@code uv_tcp_getsockname}: the address bound to
     * @throws UvException e.g. EBADF if there is no socket yet, EADDRINUSE from a deferred bind
     */
    InetSocketAddress localAddress() throws UvException;

    /**
     * @return {@code uv_tcp_getpeername}: the address of the peer
     * @throws UvException ENOTCONN if not connected
     */
    InetSocketAddress remoteAddress() throws UvException;

    /**
     * {@code uv_tcp_nodelay}: enables TCP_NODELAY (turns Nagle's algorithm off).
     *
     * @param enable true to send small writes at once
     * @throws UvException if the option cannot be set
     */
    void setNoDelay(boolean enable) throws UvException;

    /**
     * @return whether TCP_NODELAY is set on the socket, read back from the socket itself
     * @throws UvException EBADF if there is no socket yet
     */
    boolean isNoDelay() throws UvException;

    /**
     * {@code uv_tcp_keepalive}.
     *
     * @param enable true to send keep-alive probes
     * @param delaySeconds idle seconds before the first probe, &gt;= 1; ignored when disabling
     * @throws IllegalArgumentException if enabling with {@code delaySeconds < 1}
     * @throws UvException if the option cannot be set
     */
    void setKeepAlive(boolean enable, int delaySeconds) throws UvException;

    /**
     * @return whether SO_KEEPALIVE is set on the socket, read back from the socket itself
     * @throws UvException EBADF if there is no socket yet
     */
    boolean isKeepAlive() throws UvException;

    /**
     * @return the socket's TCP_KEEPIDLE in seconds: the delay of
     *     {@link #setKeepAlive(boolean, int)}
     * @throws UvException EBADF if there is no socket yet
     */
    int keepAliveDelay() throws UvException;

    /**
     * {@code uv_tcp_simultaneous_accepts}. Only has an effect on Windows; accepted everywhere.
     *
     * @param enable true to allow simultaneous accepts
     * @throws UvException if libuv refuses
     */
    void setSimultaneousAccepts(boolean enable) throws UvException;

    /**
     * {@code uv_tcp_close_reset}: closes the handle by sending a TCP RST (SO_LINGER 0) instead
     * of a FIN. Like {@link #close()} the handle is closed afterwards.
     *
     * @throws UvException EINVAL while a {@link #shutdown()} is pending (libuv refuses a reset
     *     then); the handle is then still open. Once closed, this is a no-op.
     */
    void closeReset() throws UvException;
}
