package dev.uvtcp.service;

import dev.uvtcp.ConnectionHandler;
import dev.uvtcp.Handle;
import dev.uvtcp.HandleClosedException;
import dev.uvtcp.ListenOptions;
import dev.uvtcp.Loop;
import dev.uvtcp.Tcp;
import dev.uvtcp.TcpService;
import dev.uvtcp.UvException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One consumer's {@link TcpService}: creates handles on the shared loops and owns them, so that
 * {@link #release()} closes everything the consumer left open.
 */
public final class TcpServiceView implements TcpService, HandleOwner {

    private final LoopGroup group;
    private final String ownerName;
    /** The consumer bundle's id, or -1 (outside OSGi); shown by the runtime introspection. */
    private final long ownerBundleId;
    /** Guarded by {@code this}: the handles this view owns. */
    private final HandleList owned = new HandleList(HandleList.Links.OWNER);
    private volatile boolean released;

    /**
     * @param ownerName who this view is for, used in messages (e.g. a bundle's name)
     */
    public TcpServiceView(LoopGroup group, String ownerName) {
        this(group, ownerName, -1);
    }

    /**
     * @param ownerName who this view is for, used in messages (e.g. a bundle's name)
     * @param ownerBundleId the id of that bundle, or -1
     */
    public TcpServiceView(LoopGroup group, String ownerName, long ownerBundleId) {
        this.group = group;
        this.ownerName = ownerName;
        this.ownerBundleId = ownerBundleId;
    }

    @Override
    public String ownerName() {
        return ownerName;
    }

    @Override
    public long ownerBundleId() {
        return ownerBundleId;
    }

    @Override
    public void adopt(UvHandle handle) {
        synchronized (this) {
            // Checked under the lock that release() takes: a handle adopted before release
            // is in the list release() closes, and none is adopted after it.
            if (released) {
                throw released("create a handle");
            }
            owned.add(handle);
        }
    }

    @Override
    public synchronized void forget(UvHandle handle) {
        owned.remove(handle);
    }

    /** Any thread: a snapshot of the handles this view owns, newest first. */
    private synchronized List<UvHandle> ownedHandles() {
        return owned.snapshot();
    }

    @Override
    public long defaultMaxWriteQueueBytes() {
        return group.maxWriteQueueBytes();
    }

    @Override
    public LoopTimer timer() {
        return group.timer();
    }

    private HandleClosedException released(String operation) {
        return new HandleClosedException(operation + ": the TcpService of " + ownerName
                + " has been released");
    }

    private UvTcp create(ProtocolFamily family) throws UvException {
        // Created on a loop thread of this service: stay on that loop, so that the caller
        // (typically a callback) never waits for another loop.
        EventLoop current = group.current();
        return createOn(current != null ? current : group.next(), family);
    }

    /** @param family INET or INET6 to make the socket now, null to leave that to bind/connect */
    private UvTcp createOn(EventLoop loop, ProtocolFamily family) throws UvException {
        if (released) {
            throw released("create a handle");
        }
        try {
            return loop.call(() -> UvTcp.createOnLoop(loop, this, group.bufferPool(), family));
        } catch (RejectedExecutionException loopGone) {
            throw released("create a handle");
        }
    }

    @Override
    public Tcp newTcp() throws UvException {
        return create(null);
    }

    @Override
    public Tcp newTcp(ProtocolFamily family) throws UvException {
        Objects.requireNonNull(family, "family");
        if (family == StandardProtocolFamily.INET) {
            return create(StandardProtocolFamily.INET);
        }
        if (family == StandardProtocolFamily.INET6) {
            return create(StandardProtocolFamily.INET6);
        }
        throw new IllegalArgumentException("TCP needs INET or INET6, not " + family);
    }

    @Override
    public Tcp open(int fd) throws UvException {
        if (fd < 0) {
            throw new IllegalArgumentException("fd must be >= 0, was " + fd);
        }
        // The native side adopts a duplicate of fd and checks that (a stream socket), so
        // nothing here can race with whoever owns the number fd.
        return openOn(null, fd);
    }

    @Override
    public CompletionStage<Tcp> connect(InetSocketAddress address) {
        SocketAddresses.requireResolved(address, "address");
        SocketAddresses.requirePort(address.getPort(), false);
        UvTcp tcp;
        try {
            tcp = create(null);
        } catch (UvException | RuntimeException e) {
            return CompletableFuture.failedStage(e);
        }
        return tcp.connect(address).handle((ignored, error) -> {
            if (error != null) {
                tcp.close();
                throw error instanceof RuntimeException re ? re
                        : new java.util.concurrent.CompletionException(error);
            }
            return (Tcp) tcp;
        });
    }

    @Override
    public CompletionStage<Tcp> connect(String host, int port) {
        return connect(SocketAddresses.resolve(host, port, false));
    }

    @Override
    public Tcp listen(InetSocketAddress address, int backlog, ConnectionHandler handler)
            throws UvException {
        // withBacklog refuses a negative backlog; the other arguments are checked below.
        return listen(address, ListenOptions.defaults().withBacklog(backlog), handler);
    }

    @Override
    public Tcp listen(InetSocketAddress address, ListenOptions options,
            ConnectionHandler handler) throws UvException {
        SocketAddresses.requireResolved(address, "address");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(handler, "handler");
        return listen(boundListener(address), options, handler);
    }

    /**
     * Serves a listening (or only bound) stream socket this process was given, typically by a
     * service manager ({@link InheritedSockets}), as {@link #listen(InetSocketAddress,
     * ListenOptions, ConnectionHandler)} serves a new one: the listener adopts a duplicate of
     * {@code fd} ({@link #open}) and {@code uv_listen}s on it (on a socket that listens already
     * that only sets the backlog again). {@code fd} itself stays open and the caller's: closing
     * the listener closes the duplicate, so connections arriving afterwards wait in the
     * socket's accept queue for the next listener on it, instead of being refused. With
     * {@link dev.uvtcp.LoopSpread#LISTENER_PER_LOOP} each loop adopts a duplicate of its own
     * and the kernel wakes one of them per connection.
     *
     * <p>Threading: as {@code listen} (any thread; a synchronous call that may wait for a
     * loop); the handler runs on the loop threads. Lifetime: the listener is owned by this
     * view, like one made by {@code listen}, and closed by {@link #release()}.
     *
     * @param fd the descriptor, e.g. {@link InheritedSockets.InheritedSocket#fd()}
     * @param options backlog, limits and loop spread
     * @param handler gets every accepted connection
     * @return the listener (with several loops the first; closing it closes the others)
     * @throws UvException EBADF, ENOTSOCK, EPROTOTYPE as for {@link #open}; an error of
     *     {@code listen}; nothing is left open then
     * @throws IllegalArgumentException if {@code fd} is negative
     */
    public Tcp listenInherited(int fd, ListenOptions options, ConnectionHandler handler)
            throws UvException {
        if (fd < 0) {
            throw new IllegalArgumentException("fd must be >= 0, was " + fd);
        }
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(handler, "handler");
        return listen((loop, first) -> openOn(loop, fd), options, handler);
    }

    /**
     * Makes the socket of one listener before it listens: on {@code loop} (null: the next
     * loop), given the first listener of the same server when this is another loop's.
     */
    @FunctionalInterface
    private interface ListenerSocket {
        UvTcp make(EventLoop loop, UvTcp first) throws UvException;
    }

    /** A new socket bound to {@code address}; SO_REUSEPORT when there is one per loop. */
    private ListenerSocket boundListener(InetSocketAddress address) {
        return (loop, first) -> {
            // Port 0: the first listener picked a port; the others take the same one.
            InetSocketAddress bindTo = first == null || address.getPort() != 0 ? address
                    : new InetSocketAddress(address.getAddress(), first.localAddress().getPort());
            UvTcp server = loop == null ? create(null)
                    : createOn(loop, bindTo.getAddress() instanceof Inet6Address
                            ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
            try {
                if (loop != null) {
                    server.reusePort();
                }
                server.bind(bindTo);
            } catch (UvException | RuntimeException e) {
                server.close();
                throw e;
            }
            return server;
        };
    }

    /** A duplicate of {@code fd} adopted on {@code loop} (null: as {@link #open} places it). */
    private UvTcp openOn(EventLoop loop, int fd) throws UvException {
        UvTcp tcp = loop == null ? create(null) : createOn(loop, null);
        try {
            tcp.onLoop("open", () -> {
                tcp.openOnLoop(fd);
                return null;
            });
        } catch (UvException | RuntimeException e) {
            tcp.close();
            throw e;
        }
        return tcp;
    }

    private Tcp listen(ListenerSocket socket, ListenOptions options, ConnectionHandler handler)
            throws UvException {
        switch (options.loopSpread()) {
            case LISTENER_PER_LOOP:
                return listenOnAllLoops(socket, options, handler);
            case ACCEPTOR_HANDS_OFF:
                return listenOn(socket.make(null, null), options, handler, new AtomicInteger(),
                        new ConnectionHandOff(group.eventLoops(), this, group.bufferPool()));
            default:
                return listenOn(socket.make(null, null), options, handler, new AtomicInteger(),
                        null);
        }
    }

    /**
     * One listener per loop on the same address, each with SO_REUSEPORT (the kernel spreads
     * connections over them); the first is returned and closing it closes the others.
     */
    private Tcp listenOnAllLoops(ListenerSocket socket, ListenOptions options,
            ConnectionHandler handler) throws UvException {
        AtomicInteger open = new AtomicInteger();
        List<UvTcp> servers = new ArrayList<>();
        try {
            for (EventLoop loop : group.eventLoops()) {
                UvTcp first = servers.isEmpty() ? null : servers.get(0);
                servers.add(listenOn(socket.make(loop, first), options, handler, open, null));
            }
        } catch (UvException | RuntimeException e) {
            servers.forEach(UvTcp::close);
            throw e;
        }
        UvTcp first = servers.get(0);
        List<UvTcp> others = List.copyOf(servers.subList(1, servers.size()));
        // Runs on the first listener's loop: close the others on theirs, without waiting.
        first.closeFuture().whenComplete((ignored, error) -> {
            for (UvTcp other : others) {
                try {
                    other.loop.execute(other::closeOnLoop);
                } catch (RejectedExecutionException loopGone) {
                    // that loop closed its handles as it ended
                }
            }
        });
        return first;
    }

    /**
     * Makes {@code server} (bound, or adopted) listen; {@code open} counts its accepted
     * connections (shared by the listeners of one server); with a {@code handOff}, accepted
     * connections are spread over the loops by it. Closes {@code server} if it cannot listen.
     */
    private UvTcp listenOn(UvTcp server, ListenOptions options, ConnectionHandler handler,
            AtomicInteger open, ConnectionHandOff handOff) throws UvException {
        try {
            server.listen(options.backlog(), (listener, error) -> {
                if (error != null) {
                    UvHandle.guard("ConnectionHandler of " + server.label(),
                            () -> handler.onAcceptError(server, error));
                    return;
                }
                UvStream connection;
                try {
                    connection = server.acceptOnLoop();
                } catch (UvException acceptError) {
                    UvHandle.guard("ConnectionHandler of " + server.label(),
                            () -> handler.onAcceptError(server, acceptError));
                    return;
                } catch (HandleClosedException ownerReleased) {
                    return;
                }
                if (!tryOpen(open, options.maxConnections())) {
                    resetExcess((UvTcp) connection);
                    UvException limit = UvErrors.exception(UvErrors.ECONNABORTED,
                            "accept on " + server.label() + ": " + options.maxConnections()
                                    + " connections are open (maxConnections); the new one "
                                    + "was reset");
                    UvHandle.guard("ConnectionHandler of " + server.label(),
                            () -> handler.onAcceptError(server, limit));
                    return;
                }
                if (handOff == null) {
                    serve(server, (UvTcp) connection, options, handler, open);
                    return;
                }
                handOff.dispatch((UvTcp) connection,
                        moved -> serve(server, moved, options, handler, open),
                        handOffError -> {
                            if (options.maxConnections() != Integer.MAX_VALUE) {
                                open.decrementAndGet();
                            }
                            UvHandle.guard("ConnectionHandler of " + server.label(),
                                    () -> handler.onAcceptError(server, handOffError));
                        });
            });
        } catch (UvException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /**
     * The connection's loop thread: applies the server's options to an accepted connection and
     * hands it to the handler.
     */
    private static void serve(UvTcp server, UvTcp connection, ListenOptions options,
            ConnectionHandler handler, AtomicInteger open) {
        if (options.maxConnections() != Integer.MAX_VALUE) {
            connection.closeFuture().thenRun(open::decrementAndGet);
        }
        if (options.maxWriteQueueBytes() > 0) {
            connection.setMaxWriteQueueSize(options.maxWriteQueueBytes());
        }
        long idleMillis = options.idleTimeout().toMillis();
        if (idleMillis > 0) {
            connection.startIdleTimeout(idleMillis);
        }
        try {
            handler.onConnection(connection);
        } catch (Throwable t) {
            // The handler may not have started reading or kept a reference: left open, the
            // connection would stay until its owner goes away, with its peer waiting.
            connection.close();
            UvHandle.LOG.log(System.Logger.Level.WARNING, "ConnectionHandler of "
                    + server.label() + " (" + server.owner().ownerName() + ") threw; "
                    + connection.label() + " was closed", t);
        }
    }

    /**
     * Counts one more open connection unless {@code max} are open (no limit: no counting).
     * Atomic, as the listeners of one server on several loops share the count.
     */
    private static boolean tryOpen(AtomicInteger open, int max) {
        if (max == Integer.MAX_VALUE) {
            return true;
        }
        int now;
        do {
            now = open.get();
            if (now >= max) {
                return false;
            }
        } while (!open.compareAndSet(now, now + 1));
        return true;
    }

    /** Loop thread: closes a connection beyond maxConnections with a reset (RST). */
    private static void resetExcess(UvTcp connection) {
        try {
            connection.closeReset();
        } catch (UvException | RuntimeException e) {
            connection.close();
        }
    }

    @Override
    public Tcp listen(String host, int port, int backlog, ConnectionHandler handler)
            throws UvException {
        return listen(SocketAddresses.resolve(host, port, true), backlog, handler);
    }

    @Override
    public List<Loop> loops() {
        return group.loops();
    }

    @Override
    public List<Handle> handles() {
        return List.copyOf(ownedHandles());
    }

    /**
     * Closes every handle this view owns and refuses new ones. Waits until each descriptor is
     * closed. Idempotent.
     */
    public void release() {
        synchronized (this) {
            released = true;
        }
        for (UvHandle handle : ownedHandles()) {
            handle.close();
        }
    }
}
