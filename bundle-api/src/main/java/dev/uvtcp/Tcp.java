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
     * {@code uv_tcp_bind}. A port in use is never reported here: libuv defers EADDRINUSE to
     * {@link #listen}, {@link #localAddress()}, {@link #remoteAddress()} or the connect's stage.
     *
     * @param address a resolved address; port 0 picks a free port
     * @param flags {@link BindFlag#IPV6_ONLY} to turn off dual-stack on an IPv6 address
     * @throws NullPointerException if address or a flag is null
     * @throws IllegalArgumentException if the address is unresolved
     * @throws UvException at the call: EINVAL if already bound, if {@link BindFlag#IPV6_ONLY}
     *     is given with an IPv4 address, or if the address's family is not that of a socket
     *     made by {@code TcpService.newTcp(family)}; otherwise the system's error, e.g.
     *     EADDRNOTAVAIL for an address that is not local
     * @throws HandleClosedException if the handle is closed
     */
    void bind(InetSocketAddress address, BindFlag... flags) throws UvException;

    /**
     * {@code uv_tcp_connect}. A failed connect leaves the handle open, as libuv does (the
     * convenience {@code TcpService.connect} closes it).
     *
     * @param address a resolved remote address, port 1-65535
     * @return completes when connected; fails with {@link UvException}: ECONNREFUSED,
     *     ETIMEDOUT, EADDRINUSE if the handle was bound to an address in use, ECANCELED if
     *     the handle is closed first, EALREADY while another connect is pending, EISCONN once
     *     connected; or with {@link HandleClosedException} if the handle was closed. Writes
     *     made while the connect is pending wait for it; if it fails, they fail with
     *     ECANCELED.
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
     * @return {@code uv_tcp_getsockname}: the address bound to; the wildcard address and port
     *     0 for a socket not bound yet ({@code TcpService.newTcp(family)})
     * @throws UvException at the call: EBADF if there is no socket yet; EADDRINUSE after a
     *     bind to an address in use (libuv reports it here until a connect takes it)
     */
    InetSocketAddress localAddress() throws UvException;

    /**
     * @return {@code uv_tcp_getpeername}: the address of the peer
     * @throws UvException at the call: ENOTCONN if the socket is not connected (also a
     *     listening server); EBADF if there is no socket yet; EADDRINUSE after a bind to an
     *     address in use, as {@link #localAddress()}
     */
    InetSocketAddress remoteAddress() throws UvException;

    /**
     * {@code uv_tcp_nodelay}: enables TCP_NODELAY (turns Nagle's algorithm off). On a handle
     * without a socket yet, libuv keeps the setting and applies it when the socket is made.
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
     * <p>On a handle without a socket yet ({@code newTcp()} before bind, connect or listen)
     * the setting is kept and applied, with this delay, by the call that makes the socket.
     * (libuv 1.44 alone would give that socket a fixed 60 s, whatever delay was asked.) Until
     * then {@link #isKeepAlive()} and {@link #keepAliveDelay()} throw EBADF. The last call
     * before the socket exists wins, also a call that disables keep-alive. On Linux,
     * connections accepted by a listening handle inherit its keep-alive settings.
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
     * of a FIN. Like {@link #close()} the handle is closed afterwards: pending writes end
     * (ECANCELED) before {@link #closeFuture()} completes, and a later {@link #shutdown()}
     * fails with {@link HandleClosedException} (libuv: ENOTCONN). A reading peer's read
     * callback gets ECONNRESET, or EOF when data came just before the reset.
     *
     * @throws UvException at the call: EINVAL while a {@link #shutdown()} is pending (libuv
     *     refuses a reset then); the handle is then still open, and once the shutdown has
     *     completed a reset is allowed. Once closed, this is a no-op.
     */
    void closeReset() throws UvException;
}
