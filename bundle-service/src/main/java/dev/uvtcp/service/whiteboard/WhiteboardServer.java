package dev.uvtcp.service.whiteboard;

import dev.uvtcp.service.InheritedSockets;
import dev.uvtcp.service.InheritedSockets.InheritedSocket;
import dev.uvtcp.service.LoopGroup;
import dev.uvtcp.service.SocketAddresses;
import dev.uvtcp.service.ConsumerTcpService;
import dev.uvtcp.service.RuntimeIntrospection;
import static dev.uvtcp.runtime.TcpWhiteboardConstants.FAILURE_REASON_ADDRESS_IN_USE;
import static dev.uvtcp.runtime.TcpWhiteboardConstants.FAILURE_REASON_ADDRESS_NOT_AVAILABLE;
import static dev.uvtcp.runtime.TcpWhiteboardConstants.FAILURE_REASON_BIND_FAILED;
import static dev.uvtcp.runtime.TcpWhiteboardConstants.FAILURE_REASON_INVALID_ADDRESS;
import static dev.uvtcp.runtime.TcpWhiteboardConstants.FAILURE_REASON_PERMISSION_DENIED;
import static dev.uvtcp.runtime.TcpWhiteboardConstants.FAILURE_REASON_UNKNOWN;

import dev.uvtcp.ConnectionHandler;
import dev.uvtcp.Tcp;
import dev.uvtcp.UvException;
import dev.uvtcp.runtime.FailedServerDTO;
import dev.uvtcp.runtime.ServerDTO;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One whiteboard server: a registered {@link ConnectionHandler} service with a
 * {@code uvtcp.server.address}, the {@link ConsumerTcpService} that owns its listener and its
 * connections (for the handler's bundle), and its status.
 *
 * <p>Threading: {@link #bind}, {@link #rebindIfChanged}, {@link #retryIfAddressWasInUse} and
 * {@link #close} run on the runtime's worker thread only, never on a loop thread (they wait for
 * the loop); the status and the counters may be read from any thread.
 *
 * <p>Socket activation: an address {@code fd:NAME} serves the socket a service manager handed
 * over under that name, and an address that is exactly an inherited socket's local address
 * serves that socket instead of binding a new one ({@link InheritedSockets}); either way the
 * listener adopts a duplicate and the inherited descriptor stays open, so closing and binding
 * again (an update, a refresh, a restart of the process under the same service manager)
 * refuses no connection.
 */
public final class WhiteboardServer {

    public static final System.Logger LOG = System.getLogger("dev.uvtcp.whiteboard");

    final long serviceId;
    final long bundleId;
    final String bundleSymbolicName;
    private final String description;
    private final ConnectionHandler handler;
    private final ConsumerTcpService view;
    private final InheritedSockets inherited;
    private final AtomicInteger openConnections = new AtomicInteger();
    private final AtomicLong acceptedConnections = new AtomicLong();
    /** Worker thread only: the properties of the last bind. */
    private Map<String, ?> properties;
    /** Worker thread only: the listener, or null while failed or closed. */
    private Tcp listener;
    private volatile Status status;

    /**
     * What the DTOs show; replaced as a whole.
     *
     * @param failureReason -1 when serving
     */
    private record Status(String address, String localAddress, int backlog, long handleId,
            String loop, int failureReason, String failureMessage, String errorName) {
    }

    public WhiteboardServer(LoopGroup group, long serviceId, long bundleId, String bundleSymbolicName,
            String bundleVersion, ConnectionHandler handler) {
        this(group, serviceId, bundleId, bundleSymbolicName, bundleVersion, handler,
                InheritedSockets.fromEnvironment());
    }

    /**
     * @param inherited the sockets handed over by a service manager, for {@code fd:NAME}
     *     addresses and addresses that match one of them
     */
    public WhiteboardServer(LoopGroup group, long serviceId, long bundleId, String bundleSymbolicName,
            String bundleVersion, ConnectionHandler handler, InheritedSockets inherited) {
        this.inherited = inherited;
        this.serviceId = serviceId;
        this.bundleId = bundleId;
        this.bundleSymbolicName = bundleSymbolicName;
        this.handler = handler;
        this.description = "ConnectionHandler service " + serviceId + " of bundle "
                + bundleSymbolicName + " [" + bundleId + "]";
        this.view = new ConsumerTcpService(group, "bundle " + bundleSymbolicName + " "
                + bundleVersion + " [" + bundleId + "] (whiteboard service " + serviceId + ")",
                bundleId);
    }

    /**
     * A server outside OSGi (a CDI bean, for instance): no bundle. {@code owner} stands in for
     * the bundle's symbolic name in messages and in the DTOs ({@code bundleId} is -1), and
     * names the owner of the listener and its connections.
     *
     * @param group the loops to serve on
     * @param serverId the server's number, shown as {@code serviceId} in the DTOs
     * @param owner who registered the handler, e.g. {@code "CDI bean com.example.Echo"}
     * @param handler gets every accepted connection, on its loop thread
     */
    public WhiteboardServer(LoopGroup group, long serverId, String owner,
            ConnectionHandler handler) {
        this.inherited = InheritedSockets.fromEnvironment();
        this.serviceId = serverId;
        this.bundleId = -1;
        this.bundleSymbolicName = owner;
        this.handler = handler;
        this.description = "ConnectionHandler " + owner;
        this.view = new ConsumerTcpService(group, owner + " (whiteboard server " + serverId + ")");
    }

    /** Worker thread: binds a listener as the properties say, or records why it cannot. */
    public void bind(Map<String, ?> newProperties) {
        properties = newProperties;
        String address = WhiteboardConfig.describe(newProperties.get(
                dev.uvtcp.runtime.TcpWhiteboardConstants.UVTCP_SERVER_ADDRESS));
        WhiteboardConfig config;
        try {
            config = WhiteboardConfig.parse(newProperties);
        } catch (WhiteboardConfig.InvalidException e) {
            fail(address, 0, e.reason, e.getMessage(), null);
            return;
        }
        int backlog = config.options().backlog();
        try {
            Tcp server = listen(config);
            listener = server;
            String local = SocketAddresses.describe(server.localAddress());
            status = new Status(address, local, backlog, RuntimeIntrospection.handleId(server),
                    server.loop().name(), -1, null, null);
            LOG.log(System.Logger.Level.INFO, "uvtcp whiteboard: serving {0} on {1}",
                    description, local);
        } catch (UvException e) {
            fail(address, backlog, reason(e.errorName()), e.getMessage(), e.errorName());
        } catch (WhiteboardConfig.InvalidException e) {
            fail(address, backlog, e.reason, e.getMessage(), null);
        } catch (RuntimeException e) {
            fail(address, backlog, FAILURE_REASON_UNKNOWN, String.valueOf(e), null);
        }
    }

    /**
     * Worker thread: a listener on the inherited socket the configuration names or matches,
     * else on a new socket bound to its address.
     */
    private Tcp listen(WhiteboardConfig config)
            throws UvException, WhiteboardConfig.InvalidException {
        ConnectionHandler accepted = connectionHandler(config);
        Optional<InheritedSocket> socket;
        if (config.inheritedName() != null) {
            socket = inherited.find(config.inheritedName());
            if (socket.isEmpty()) {
                throw new WhiteboardConfig.InvalidException(FAILURE_REASON_INVALID_ADDRESS,
                        dev.uvtcp.runtime.TcpWhiteboardConstants.UVTCP_SERVER_ADDRESS + "="
                                + config.address() + ": no socket named \""
                                + config.inheritedName() + "\" was handed over by the service"
                                + " manager; handed over: " + inherited);
            }
        } else {
            socket = inherited.isEmpty() ? Optional.empty()
                    : inherited.matching(config.socketAddress(), view);
        }
        if (socket.isPresent()) {
            LOG.log(System.Logger.Level.INFO, "uvtcp whiteboard: {0} serves the inherited"
                    + " socket {1}", description, socket.get());
            return view.listenInherited(socket.get().fd(), config.options(), accepted);
        }
        return view.listen(config.socketAddress(), config.options(), accepted);
    }

    private void fail(String address, int backlog, int reason, String message,
            String errorName) {
        listener = null;
        status = new Status(address, null, backlog, 0, null, reason, message, errorName);
        LOG.log(System.Logger.Level.WARNING, "uvtcp whiteboard: cannot serve {0} on {1}: {2}",
                description, address, message);
    }

    static int reason(String errorName) {
        if (errorName == null) {
            return FAILURE_REASON_UNKNOWN;
        }
        switch (errorName) {
            case "EADDRINUSE":
                return FAILURE_REASON_ADDRESS_IN_USE;
            case "EACCES":
            case "EPERM":
                return FAILURE_REASON_PERMISSION_DENIED;
            case "EADDRNOTAVAIL":
                return FAILURE_REASON_ADDRESS_NOT_AVAILABLE;
            default:
                return FAILURE_REASON_BIND_FAILED;
        }
    }

    /**
     * Loop thread, per accepted connection: counts it, applies the socket options and hands
     * it to the service.
     */
    private ConnectionHandler connectionHandler(WhiteboardConfig config) {
        return new ConnectionHandler() {
            @Override
            public void onConnection(Tcp connection) throws Exception {
                acceptedConnections.incrementAndGet();
                openConnections.incrementAndGet();
                connection.closeFuture().thenRun(openConnections::decrementAndGet);
                try {
                    if (config.noDelay()) {
                        connection.setNoDelay(true);
                    }
                    if (config.keepAliveSeconds() > 0) {
                        connection.setKeepAlive(true, config.keepAliveSeconds());
                    }
                } catch (UvException e) {
                    LOG.log(System.Logger.Level.DEBUG, "uvtcp whiteboard: socket options of "
                            + "a connection of " + description + ": " + e.getMessage());
                }
                handler.onConnection(connection);
            }

            @Override
            public void onAcceptError(Tcp server, UvException error) {
                handler.onAcceptError(server, error);
            }
        };
    }

    /**
     * Worker thread: after a modification of the service's properties, moves the listener if a
     * {@code uvtcp.server.*} property changed. Connections already accepted stay open.
     *
     * @return true if it rebound
     */
    public boolean rebindIfChanged(Map<String, ?> newProperties) {
        if (WhiteboardConfig.whiteboardProperties(newProperties)
                .equals(WhiteboardConfig.whiteboardProperties(properties))) {
            return false;
        }
        closeListener();
        bind(newProperties);
        return true;
    }

    /** Worker thread: tries again a server that failed because its address was in use. */
    public void retryIfAddressWasInUse() {
        Status current = status;
        if (current != null && current.failureReason() == FAILURE_REASON_ADDRESS_IN_USE) {
            bind(properties);
        }
    }

    private void closeListener() {
        Tcp old = listener;
        listener = null;
        if (old != null) {
            old.close();
        }
    }

    /**
     * Worker thread (or any thread once the loops are gone): closes the listener and every
     * connection it accepted.
     */
    public void close() {
        listener = null;
        view.release();
        if (status != null && status.failureReason() < 0) {
            LOG.log(System.Logger.Level.INFO, "uvtcp whiteboard: stopped serving {0} on {1}",
                    description, status.localAddress());
        }
    }

    boolean isFailed() {
        Status current = status;
        return current == null || current.failureReason() >= 0;
    }

    /** @return the DTO of this server; a {@link FailedServerDTO} if it is failed */
    public ServerDTO toDTO() {
        Status current = status;
        ServerDTO dto;
        if (current == null || current.failureReason() >= 0) {
            FailedServerDTO failed = new FailedServerDTO();
            failed.failureReason = current == null ? FAILURE_REASON_UNKNOWN
                    : current.failureReason();
            failed.failureMessage = current == null ? "not bound yet" : current.failureMessage();
            failed.errorName = current == null ? null : current.errorName();
            dto = failed;
        } else {
            dto = new ServerDTO();
            dto.localAddress = current.localAddress();
            dto.handleId = current.handleId();
            dto.loop = current.loop();
        }
        dto.serviceId = serviceId;
        dto.bundleId = bundleId;
        dto.bundleSymbolicName = bundleSymbolicName;
        if (current != null) {
            dto.address = current.address();
            dto.backlog = current.backlog();
        }
        dto.connections = openConnections.get();
        dto.acceptedConnections = acceptedConnections.get();
        return dto;
    }
}
