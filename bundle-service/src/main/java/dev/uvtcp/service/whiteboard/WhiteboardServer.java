package dev.uvtcp.service.whiteboard;

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
import dev.uvtcp.service.AdoptableListener;
import dev.uvtcp.service.ConsumerTcpService;
import dev.uvtcp.service.InheritedSockets.InheritedSocket;
import dev.uvtcp.service.InheritedSockets;
import dev.uvtcp.service.LoopGroup;
import dev.uvtcp.service.RuntimeIntrospection;
import dev.uvtcp.service.SocketAddresses;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One whiteboard server: a registered {@link ConnectionHandler} service with a
 * {@code uvtcp.server.address}, the {@link ConsumerTcpService} that owns its connections (for
 * the handler's bundle), its listener and its status.
 *
 * <p>A listener bound to an address is an {@link AdoptableListener}, not a handle of the
 * consumer: it outlives the server. When the server closes, its connections close with the
 * consumer, and the listener goes to the {@link GraceListeners}, where the next server for the
 * same address takes it over, so that a client connecting while a plugin is updated is never
 * refused.
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
 * refuses no connection. Such a listener is the consumer's own and is not kept in the grace
 * period: the inherited descriptor keeps the socket listening, and its accept queue holds what
 * arrives until the next server adopts it, for as long as the process lives.
 */
public final class WhiteboardServer {

    public static final System.Logger LOG = System.getLogger("dev.uvtcp.whiteboard");

    final long serviceId;
    final long bundleId;
    final String bundleSymbolicName;
    private final String description;
    private final ConnectionHandler handler;
    private final LoopGroup group;
    private final GraceListeners grace;
    private final ConsumerTcpService view;
    /** Who the consumer is: the owner shown for a listener this server binds. */
    private final String viewName;
    private final InheritedSockets inherited;
    private final AtomicInteger openConnections = new AtomicInteger();
    private final AtomicLong acceptedConnections = new AtomicLong();
    /** Worker thread only: the properties of the last bind. */
    private Map<String, ?> properties;
    /** Worker thread only: the listener bound to an address, or null. */
    private AdoptableListener listener;
    /** Worker thread only: the listener on an inherited socket (owned by the view), or null. */
    private Tcp inheritedListener;
    private volatile Status status;

    /**
     * What the DTOs show; replaced as a whole.
     *
     * @param failureReason -1 when serving
     */
    private record Status(String address, String localAddress, int backlog, long handleId,
            String loop, int failureReason, String failureMessage, String errorName) {
    }

    /**
     * A server that finds the inherited sockets in this process's environment.
     *
     * @param grace where this server's listener goes when it closes, and where it looks for
     *     a listener to take over when it binds
     */
    public WhiteboardServer(LoopGroup group, GraceListeners grace, long serviceId,
            long bundleId, String bundleSymbolicName, String bundleVersion,
            ConnectionHandler handler) {
        this(group, grace, serviceId, bundleId, bundleSymbolicName, bundleVersion, handler,
                InheritedSockets.fromEnvironment());
    }

    /**
     * @param grace where this server's listener goes when it closes, and where it looks for
     *     a listener to take over when it binds
     * @param inherited the sockets handed over by a service manager, for {@code fd:NAME}
     *     addresses and addresses that match one of them
     */
    public WhiteboardServer(LoopGroup group, GraceListeners grace, long serviceId,
            long bundleId, String bundleSymbolicName, String bundleVersion,
            ConnectionHandler handler, InheritedSockets inherited) {
        this.group = group;
        this.grace = grace;
        this.inherited = inherited;
        this.serviceId = serviceId;
        this.bundleId = bundleId;
        this.bundleSymbolicName = bundleSymbolicName;
        this.handler = handler;
        this.description = "ConnectionHandler service " + serviceId + " of bundle "
                + bundleSymbolicName + " [" + bundleId + "]";
        this.viewName = "bundle " + bundleSymbolicName + " " + bundleVersion + " [" + bundleId
                + "] (whiteboard service " + serviceId + ")";
        this.view = new ConsumerTcpService(group, viewName, bundleId);
    }

    /**
     * A server outside OSGi (a CDI bean, for instance): no bundle, no grace period (an
     * application's servers stop with it). {@code owner} stands in for the bundle's symbolic
     * name in messages and in the DTOs ({@code bundleId} is -1), and names the owner of the
     * listener and its connections.
     *
     * @param group the loops to serve on
     * @param serverId the server's number, shown as {@code serviceId} in the DTOs
     * @param owner who registered the handler, e.g. {@code "CDI bean com.example.Echo"}
     * @param handler gets every accepted connection, on its loop thread
     */
    public WhiteboardServer(LoopGroup group, long serverId, String owner,
            ConnectionHandler handler) {
        this.group = group;
        this.grace = GraceListeners.disabled();
        this.inherited = InheritedSockets.fromEnvironment();
        this.serviceId = serverId;
        this.bundleId = -1;
        this.bundleSymbolicName = owner;
        this.handler = handler;
        this.description = "ConnectionHandler " + owner;
        this.viewName = owner + " (whiteboard server " + serverId + ")";
        this.view = new ConsumerTcpService(group, viewName);
    }

    /**
     * Worker thread: listens as the properties say, or records why it cannot. An inherited
     * socket the properties name or match is served by a new listener on a duplicate of it.
     * Otherwise the listener this server has is kept if the address is the same (the other
     * properties are applied to it); else it is closed and the listener kept in its grace
     * period for this address, if any, is taken over with the connections waiting on it; else
     * a new one is bound.
     */
    public void bind(Map<String, ?> newProperties) {
        properties = newProperties;
        String address = WhiteboardConfig.describe(newProperties.get(
                dev.uvtcp.runtime.TcpWhiteboardConstants.UVTCP_SERVER_ADDRESS));
        WhiteboardConfig config;
        Optional<InheritedSocket> socket;
        try {
            config = WhiteboardConfig.parse(newProperties);
            socket = inheritedSocket(config);
        } catch (WhiteboardConfig.InvalidException e) {
            closeListeners();
            fail(address, 0, e.reason, e.getMessage(), null);
            return;
        }
        if (socket.isPresent()) {
            closeListeners();
            bindInherited(address, config, socket.get());
        } else {
            closeInheritedListener();
            bindAdoptable(address, config);
        }
    }

    /**
     * Worker thread: the inherited socket the configuration names ({@code fd:NAME}) or whose
     * local address it is; empty when it is an address no inherited socket has.
     *
     * @throws WhiteboardConfig.InvalidException if it names a socket that was not handed over
     */
    private Optional<InheritedSocket> inheritedSocket(WhiteboardConfig config)
            throws WhiteboardConfig.InvalidException {
        if (config.inheritedName() == null) {
            return inherited.isEmpty() ? Optional.empty()
                    : inherited.matching(config.socketAddress(), view);
        }
        Optional<InheritedSocket> socket = inherited.find(config.inheritedName());
        if (socket.isEmpty()) {
            throw new WhiteboardConfig.InvalidException(FAILURE_REASON_INVALID_ADDRESS,
                    dev.uvtcp.runtime.TcpWhiteboardConstants.UVTCP_SERVER_ADDRESS + "="
                            + config.address() + ": no socket named \""
                            + config.inheritedName() + "\" was handed over by the service"
                            + " manager; handed over: " + inherited);
        }
        return socket;
    }

    /** Worker thread: serves a duplicate of {@code socket} with a listener of the view. */
    private void bindInherited(String address, WhiteboardConfig config,
            InheritedSocket socket) {
        int backlog = config.options().backlog();
        LOG.log(System.Logger.Level.INFO, "uvtcp whiteboard: {0} serves the inherited"
                + " socket {1}", description, socket);
        try {
            Tcp server = view.listenInherited(socket.fd(), config.options(),
                    connectionHandler(config));
            inheritedListener = server;
            serving(address, server, backlog, false);
        } catch (UvException e) {
            closeInheritedListener();
            fail(address, backlog, reason(e.errorName()), e.getMessage(), e.errorName());
        } catch (RuntimeException e) {
            closeInheritedListener();
            fail(address, backlog, FAILURE_REASON_UNKNOWN, String.valueOf(e), null);
        }
    }

    /**
     * Worker thread: serves the address with the listener this server has there, or the one
     * kept in its grace period, or a new one.
     */
    private void bindAdoptable(String address, WhiteboardConfig config) {
        int backlog = config.options().backlog();
        InetSocketAddress at = config.socketAddress();
        AdoptableListener serving = listener;
        if (serving == null || at.getPort() == 0 || !serving.requestedAddress().equals(at)) {
            closeListener();
            serving = at.getPort() == 0 ? null : grace.take(at);
        }
        boolean tookOver = serving != null && serving != listener;
        try {
            if (serving == null) {
                serving = AdoptableListener.listen(group, at, backlog, viewName, bundleId);
            }
            listener = serving;
            serving.serve(view, config.options(), connectionHandler(config));
            serving(address, serving.tcp(), backlog, tookOver);
        } catch (UvException e) {
            closeListener(serving);
            fail(address, backlog, reason(e.errorName()), e.getMessage(), e.errorName());
        } catch (RuntimeException e) {
            closeListener(serving);
            fail(address, backlog, FAILURE_REASON_UNKNOWN, String.valueOf(e), null);
        }
    }

    private void serving(String address, Tcp server, int backlog, boolean tookOver)
            throws UvException {
        String local = SocketAddresses.describe(server.localAddress());
        status = new Status(address, local, backlog, RuntimeIntrospection.handleId(server),
                server.loop().name(), -1, null, null);
        LOG.log(System.Logger.Level.INFO, tookOver
                ? "uvtcp whiteboard: {0} took over the listener kept on {1}"
                : "uvtcp whiteboard: serving {0} on {1}", description, local);
    }

    private void fail(String address, int backlog, int reason, String message,
            String errorName) {
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

    /** Worker thread: closes either listener at once (the server moves or failed). */
    private void closeListeners() {
        closeListener();
        closeInheritedListener();
    }

    /** Worker thread: closes the listener bound to an address at once. */
    private void closeListener() {
        closeListener(listener);
    }

    /**
     * Worker thread: closes the listener on an inherited socket (the duplicate: the inherited
     * socket listens on, holding what arrives).
     */
    private void closeInheritedListener() {
        Tcp old = inheritedListener;
        inheritedListener = null;
        if (old != null) {
            old.close();
        }
    }

    private void closeListener(AdoptableListener old) {
        listener = null;
        if (old != null) {
            old.close();
        }
    }

    /**
     * Worker thread (or any thread once the loops are gone): closes every connection this
     * server accepted, and hands a listener bound to an address to the grace period, holding
     * the connections that arrive from now on for the next server of the same address (or
     * closes it, when the grace period is 0). A listener on an inherited socket closes with
     * the view; the inherited socket holds what arrives.
     */
    public void close() {
        AdoptableListener old = listener;
        listener = null;
        inheritedListener = null;
        Status last = status;
        if (old != null) {
            // First: once it holds, no connection is accepted into the view released below.
            old.hold("uvtcp whiteboard: grace period of " + last.localAddress()
                    + " (last served " + viewName + ")");
        }
        view.release();
        if (old != null) {
            grace.keep(old, this, last.address(), last.localAddress(), last.backlog());
        }
        if (last != null && last.failureReason() < 0) {
            LOG.log(System.Logger.Level.INFO, "uvtcp whiteboard: stopped serving {0} on {1}",
                    description, last.localAddress());
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
