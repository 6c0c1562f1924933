package dev.uvtcp;

import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Creates TCP handles on libuv loops.
 *
 * <p>In OSGi each consumer bundle gets its own instance over shared loops; outside OSGi the
 * service bundle's plain-Java entry point starts one. Every handle created through an instance
 * (and every connection accepted by its servers) is owned by it, and closed when the instance
 * is released or closed.
 *
 * <p>Threading: all methods may be called from any thread. New handles are spread over the
 * loops; accepted connections live on their server's loop.
 */
@ProviderType
public interface TcpService {

    /**
     * {@code uv_tcp_init}: a new TCP handle with no socket yet.
     *
     * @return an open handle
     * @throws HandleClosedException if this service has been closed
     * @throws UvException if libuv fails to initialise the handle
     */
    Tcp newTcp() throws UvException;

    /**
     * {@code uv_tcp_init_ex}: a new TCP handle whose socket is created at once.
     *
     * @param family {@link java.net.StandardProtocolFamily#INET} or {@code INET6}
     * @return an open handle with a descriptor
     * @throws NullPointerException if family is null
     * @throws IllegalArgumentException for any other family (e.g. UNIX)
     * @throws UvException e.g. EAFNOSUPPORT if the system has no IPv6
     */
    Tcp newTcp(ProtocolFamily family) throws UvException;

    /**
     * {@code uv_tcp_open}: a new handle on an existing stream socket (inherited,
     * socket-activated, or created by other native code), like Python's
     * {@code socket.fromfd}: the handle adopts a <em>duplicate</em> of {@code fd} and owns and
     * closes that duplicate ({@link Handle#fileno()} is its number, not {@code fd}).
     *
     * <p>Lifetime: the caller keeps {@code fd} and stays responsible for closing it; uvtcp
     * never closes it or changes its number, on success or failure. Closing {@code fd} does not close the handle's socket (nor does
     * closing the handle close {@code fd}): the socket lives until both are closed (a
     * {@link Tcp#closeReset()} resets it only then), and {@link Stream#shutdown()} ends the
     * sending side for both at once. Both descriptors share one open file description: the
     * socket is set non-blocking ({@code O_NONBLOCK}), which is also seen through {@code fd},
     * and socket options set through the handle apply to both.
     * Passing another handle's {@link Handle#fileno()} gives a second, independent handle on
     * the same socket (if both read, each byte goes to whichever reads it first); closing
     * either leaves the other working.
     *
     * <p>Threading: any thread. The duplicate is made and checked before libuv sees it, so
     * another thread closing or reusing the number {@code fd} at the same time can only make
     * this call fail (EBADF, ENOTSOCK) or adopt what the number held at that instant.
     *
     * @param fd an open descriptor of a stream socket
     * @return an open handle on a duplicate of {@code fd}
     * @throws IllegalArgumentException if fd is negative
     * @throws HandleClosedException if this service has been closed
     * @throws UvException EBADF if {@code fd} is not open; ENOTSOCK if it is open but not a
     *     socket (a file, directory, pipe or device); EPROTOTYPE if it is a socket but not a
     *     stream socket (e.g. UDP); EMFILE if no descriptor is left for the duplicate; or what
     *     libuv reports. The duplicate is closed again then, and the handle made for it closes
     *     (it may still be listed by {@link #handles()} until the loop has closed it).
     */
    Tcp open(int fd) throws UvException;

    /**
     * Convenience: a new handle connected to {@code address}.
     *
     * @param address a resolved address, port 1-65535
     * @return completes with the connected handle; on failure the handle is closed and the
     *     stage fails with the {@link UvException}
     * @throws NullPointerException if address is null
     * @throws IllegalArgumentException if the address is unresolved or its port is 0
     */
    CompletionStage<Tcp> connect(InetSocketAddress address);

    /**
     * Convenience: a server bound to {@code address} that accepts every connection and hands it
     * to {@code handler}.
     *
     * @param address a resolved address; port 0 picks a free one ({@link Tcp#localAddress()})
     * @param backlog pending connection queue length, &gt;= 0
     * @param handler receives each accepted connection on the loop thread
     * @return the listening handle; closing it stops the server (accepted connections stay)
     * @throws NullPointerException if address or handler is null
     * @throws IllegalArgumentException if the address is unresolved or backlog negative
     * @throws UvException e.g. EADDRINUSE; nothing is left open then
     */
    Tcp listen(InetSocketAddress address, int backlog, ConnectionHandler handler)
            throws UvException;

    /**
     * A server as {@link #listen(InetSocketAddress, int, ConnectionHandler)}, with limits:
     * at most {@link ListenOptions#maxConnections()} accepted connections open at once, an
     * {@link ListenOptions#idleTimeout() idle timeout} and a
     * {@link ListenOptions#maxWriteQueueBytes() write queue limit} for each connection.
     *
     * <p>Threading: callable from any thread; the handler and the limits' actions (resetting
     * an excess connection, closing an idle one) run on the server's loop thread.
     *
     * <p>Lifetime: the limits apply to the connections this server accepted for as long as
     * they are open, also after the server itself is closed.
     *
     * @param address a resolved address; port 0 picks a free one ({@link Tcp#localAddress()})
     * @param options backlog and limits; {@link ListenOptions#defaults()} for none
     * @param handler receives each accepted connection on the loop thread
     * @return the listening handle; closing it stops the server (accepted connections stay)
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the address is unresolved
     * @throws UvException e.g. EADDRINUSE; nothing is left open then
     */
    Tcp listen(InetSocketAddress address, ListenOptions options, ConnectionHandler handler)
            throws UvException;

    /**
     * Convenience: {@link #connect(InetSocketAddress)} to a host given by name or literal.
     * A name is resolved on the calling thread, which therefore must not be a loop thread
     * unless the host is a literal address.
     *
     * @param host a host name or literal address, e.g. {@code "127.0.0.1"} or {@code "::1"}
     * @param port 1-65535
     * @return as {@link #connect(InetSocketAddress)}
     * @throws NullPointerException if host is null
     * @throws IllegalArgumentException if the port is out of range, the host is a malformed
     *     literal address (e.g. {@code "999.1.1.1"}: "invalid address", no lookup is tried), or
     *     a name cannot be resolved ("cannot resolve host")
     */
    CompletionStage<Tcp> connect(String host, int port);

    /**
     * Convenience: {@link #listen(InetSocketAddress, int, ConnectionHandler)} on a host given by
     * name or literal, resolved on the calling thread as for {@link #connect(String, int)}.
     *
     * @param host a host name or literal address; {@code "127.0.0.1"} for loopback only
     * @param port 0-65535; 0 picks a free port
     * @param backlog pending connection queue length, &gt;= 0
     * @param handler receives each accepted connection on the loop thread
     * @return the listening handle
     * @throws NullPointerException if host or handler is null
     * @throws IllegalArgumentException if the port is out of range, the host is a malformed
     *     literal address ("invalid address") or a name that cannot be resolved, or backlog
     *     is negative
     * @throws UvException e.g. EADDRINUSE; nothing is left open then
     */
    Tcp listen(String host, int port, int backlog, ConnectionHandler handler) throws UvException;

    /** @return the loops handles are spread over, in a fixed order */
    List<Loop> loops();

    /** @return the handles owned by this instance that are still open */
    List<Handle> handles();
}
