package dev.uvtcp.runtime;

/**
 * Service property names and values of the uvtcp whiteboard, and the failure reasons of
 * {@link FailedServerDTO#failureReason}.
 *
 * <p>A {@link dev.uvtcp.ConnectionHandler} service becomes a server when it has the property
 * {@link #UVTCP_SERVER_ADDRESS}; all other properties are optional. Numbers may be given as any
 * {@link Number} or as a {@link String} holding a decimal number, booleans as {@link Boolean} or
 * {@code "true"}/{@code "false"}, so that values from Configuration Admin, component
 * annotations and {@code .cfg} files all work.
 */
public final class TcpWhiteboardConstants {

    private TcpWhiteboardConstants() {
    }

    /**
     * The address to serve: {@code host:port}, {@code [ipv6]:port}, or only a port
     * ({@code ":7007"} or {@code "7007"}, also as a number). <b>A host left out means loopback
     * ({@code 127.0.0.1}), never the wildcard</b>: to listen on every interface, say so with
     * {@code 0.0.0.0:port} or {@code [::]:port}. A host name is resolved once, when the server
     * is bound. Port 0 picks a free port ({@link ServerDTO#localAddress} tells which).
     */
    public static final String UVTCP_SERVER_ADDRESS = "uvtcp.server.address";

    /** The listen backlog, an integer &gt;= 0; default 128. */
    public static final String UVTCP_SERVER_BACKLOG = "uvtcp.server.backlog";

    /** Whether accepted connections get {@code TCP_NODELAY}; a boolean, default false. */
    public static final String UVTCP_SERVER_NODELAY = "uvtcp.server.nodelay";

    /**
     * TCP keep-alive of accepted connections: the initial delay in seconds, an integer;
     * 0 or absent: off.
     */
    public static final String UVTCP_SERVER_KEEPALIVE = "uvtcp.server.keepalive";

    /**
     * The most accepted connections open at once, an integer &gt;= 1; absent: no limit. A
     * connection beyond the limit is reset and the handler's
     * {@link dev.uvtcp.ConnectionHandler#onAcceptError} is told.
     */
    public static final String UVTCP_SERVER_MAX_CONNECTIONS = "uvtcp.server.maxConnections";

    /**
     * Milliseconds an accepted connection may be idle (nothing read, no write completed)
     * before uvtcp closes it, an integer &gt;= 0; 0 or absent: never.
     */
    public static final String UVTCP_SERVER_IDLE_TIMEOUT = "uvtcp.server.idleTimeout";

    /**
     * The write queue limit in bytes of each accepted connection, an integer &gt;= 1; absent:
     * the service's default.
     */
    public static final String UVTCP_SERVER_MAX_WRITE_QUEUE_BYTES =
            "uvtcp.server.maxWriteQueueBytes";

    /** The prefix shared by every whiteboard property; a change to one of them rebinds. */
    public static final String UVTCP_SERVER_PREFIX = "uvtcp.server.";

    /** Failure reason: none of the others (see {@link FailedServerDTO#failureMessage}). */
    public static final int FAILURE_REASON_UNKNOWN = 0;

    /**
     * Failure reason: {@link #UVTCP_SERVER_ADDRESS} is not a valid address (bad syntax, port
     * out of range, a host name that does not resolve).
     */
    public static final int FAILURE_REASON_INVALID_ADDRESS = 1;

    /** Failure reason: another {@code uvtcp.server.*} property has an invalid value. */
    public static final int FAILURE_REASON_INVALID_PROPERTY = 2;

    /**
     * Failure reason: the address is in use ({@code EADDRINUSE}), by another server of this
     * runtime or by anything else. Such a server is bound again when another whiteboard server
     * goes away or changes.
     */
    public static final int FAILURE_REASON_ADDRESS_IN_USE = 3;

    /**
     * Failure reason: binding needs a permission the process does not have ({@code EACCES},
     * {@code EPERM}), typically a port below 1024.
     */
    public static final int FAILURE_REASON_PERMISSION_DENIED = 4;

    /** Failure reason: the host is not an address of this machine ({@code EADDRNOTAVAIL}). */
    public static final int FAILURE_REASON_ADDRESS_NOT_AVAILABLE = 5;

    /** Failure reason: libuv refused to bind or listen for another reason. */
    public static final int FAILURE_REASON_BIND_FAILED = 6;

    /** Failure reason: the service object could not be obtained from the framework. */
    public static final int FAILURE_REASON_SERVICE_NOT_GETTABLE = 7;
}
