package dev.uvtcp;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Handed every connection a server accepts ({@link TcpService#listen}).
 *
 * <p>Threading: called on the connection's loop thread; must not block.
 *
 * <p>Lifetime: the handler owns the connection it is given and should close it when done; it is
 * also closed when the listener's owner (the consumer of the {@link TcpService}) goes away. A
 * {@link ReadHandler} that implements only {@code onRead} closes it when the peer is done.
 */
@ConsumerType
@FunctionalInterface
public interface ConnectionHandler {

    /**
     * A connection was accepted. Typically the handler calls
     * {@link Stream#startReading(ReadHandler)} on it:
     * {@code connection -> connection.startReading((stream, data) -> stream.write(data))}.
     *
     * <p>If this method throws, uvtcp closes the connection and logs the exception (through
     * {@link System.Logger}, at WARNING); the server keeps accepting. So a handler may let
     * {@link UvException} (e.g. from {@code startReading} on a connection the peer already
     * reset) or any other exception escape instead of catching it.
     *
     * @param connection the accepted connection, open and not yet reading
     * @throws Exception anything; the connection is then closed and the exception logged
     */
    void onConnection(Tcp connection) throws Exception;

    /**
     * Accepting failed. The server keeps listening. The default does nothing.
     *
     * <p>Out of descriptors (EMFILE for the process, ENFILE for the system), libuv closes its
     * spare descriptor, accepts and at once closes every pending connection (their peers see
     * the connection end), reopens the spare and then reports EMFILE or ENFILE here, once for
     * each such batch. Without a spare (another thread of the process took the descriptor
     * libuv freed), nothing is shed: accepting pauses for about 100 ms, waiting connections
     * stay in the kernel's backlog, and each failed retry is reported here; libuv takes a
     * spare back once a descriptor is free. uvtcp's own refusals come here too, e.g.
     * ECONNABORTED for a connection beyond {@link ListenOptions#maxConnections()}.
     *
     * <p>Threading: called on the server's loop thread; must not block. It may close the
     * server.
     *
     * @param server the listening handle
     * @param error what libuv reported
     */
    default void onAcceptError(Tcp server, UvException error) {
    }
}
