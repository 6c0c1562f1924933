package dev.uvtcp;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * libuv's connection callback ({@code uv_listen}'s {@code uv_connection_cb}): told that a
 * connection is waiting, it calls {@link Stream#accept()}. For servers that just want each
 * accepted connection, use {@link TcpService#listen} with a {@link ConnectionHandler}.
 *
 * <p>Threading: called on the server's loop thread; must not block.
 */
@ConsumerType
@FunctionalInterface
public interface ListenHandler {

    /**
     * A connection is waiting to be accepted, or listening failed.
     *
     * @param server the listening stream
     * @param error null when a connection is waiting, else the error libuv reported (e.g.
     *     EMFILE when the process is out of descriptors: libuv has then already accepted and
     *     closed the pending connections, or paused accepting, see
     *     {@link ConnectionHandler#onAcceptError}); the server keeps listening
     */
    void onConnection(Stream server, UvException error);
}
