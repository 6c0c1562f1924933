package dev.uvtcp;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Handed every connection a server accepts ({@link TcpService#listen}).
 *
 * <p>Threading: called on the connection's loop thread; must not block.
 *
 * <p>Lifetime: the handler owns the connection it is given and should close it when done; it is
 * also closed when the listener's owner (the consumer of the {@link TcpService}) goes away.
 */
@ConsumerType
@FunctionalInterface
public interface ConnectionHandler {

    /**
     * A connection was accepted. Typically the handler calls
     * {@link Stream#startReading(ReadHandler)} on it.
     *
     * @param connection the accepted connection, open and not yet reading
     */
    void onConnection(Tcp connection);

    /**
     * Accepting failed (e.g. EMFILE). The server keeps listening. The default does nothing.
     *
     * @param server the listening handle
     * @param error what libuv reported
     */
    default void onAcceptError(Tcp server, UvException error) {
    }
}
