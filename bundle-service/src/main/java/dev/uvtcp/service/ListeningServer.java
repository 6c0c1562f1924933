package dev.uvtcp.service;

import dev.uvtcp.ConnectionHandler;
import dev.uvtcp.HandleClosedException;
import dev.uvtcp.ListenHandler;
import dev.uvtcp.ListenOptions;
import dev.uvtcp.Stream;
import dev.uvtcp.UvException;
import dev.uvtcp.jni.ErrorCodes;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One server made by {@code TcpService.listen}: its listener (or one per loop) and the policy
 * {@link ListenOptions} set for each accepted connection: the connection limit, the spreading
 * over the loops, the write queue limit, the idle timeout, and a {@link ConnectionHandler}
 * that throws.
 *
 * <p>Threading: {@link #start} runs on any thread; {@link #onConnection} on the loop thread of
 * the listener it is called for (the listeners of one server share this object, so the count
 * of open connections is atomic). Lifetime: until its listeners close; the connections it
 * accepted live on.
 */
final class ListeningServer implements ListenHandler {

    private final ListenOptions options;
    private final ConnectionHandler handler;
    /** Accepted connections still open; counted only with a connection limit. */
    private final AtomicInteger open = new AtomicInteger();
    /** Spreads accepted connections over the loops; null to keep them on the listener's. */
    private final ConnectionHandOff handOff;

    private ListeningServer(ListenOptions options, ConnectionHandler handler,
            ConnectionHandOff handOff) {
        this.options = options;
        this.handler = handler;
        this.handOff = handOff;
    }

    /**
     * Makes the socket of one listener before it listens: on {@code loop} (null: the factory's
     * choice), given the first listener of the same server when this is another loop's.
     */
    @FunctionalInterface
    interface ListenerSocket {
        UvTcp make(EventLoop loop, UvTcp first) throws UvException;
    }

    /** New sockets bound to {@code address}; with SO_REUSEPORT when there is one per loop. */
    static ListenerSocket bound(TcpFactory factory, InetSocketAddress address) {
        return (loop, first) -> {
            // Port 0: the first listener picked a port; the others take the same one.
            InetSocketAddress bindTo = first == null || address.getPort() != 0 ? address
                    : new InetSocketAddress(address.getAddress(), first.localAddress().getPort());
            UvTcp server = loop == null ? factory.newTcp(null)
                    : factory.newTcpOn(loop, bindTo.getAddress() instanceof Inet6Address
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

    /** Duplicates of an inherited socket {@code fd}, one per listener. */
    static ListenerSocket adopted(TcpFactory factory, int fd) {
        return (loop, first) -> factory.adopt(loop, fd);
    }

    /**
     * Listens as {@code options} say on the sockets {@code socket} makes.
     *
     * @return the listener; with {@link dev.uvtcp.LoopSpread#LISTENER_PER_LOOP} the first one,
     *     whose closing closes the others
     */
    static UvTcp start(TcpFactory factory, ListenerSocket socket, ListenOptions options,
            ConnectionHandler handler) throws UvException {
        switch (options.loopSpread()) {
            case LISTENER_PER_LOOP:
                return new ListeningServer(options, handler, null)
                        .listenOnAllLoops(factory, socket);
            case ACCEPTOR_HANDS_OFF:
                return new ListeningServer(options, handler, new ConnectionHandOff(factory))
                        .listenOn(socket.make(null, null));
            default:
                return new ListeningServer(options, handler, null)
                        .listenOn(socket.make(null, null));
        }
    }

    /**
     * One listener per loop on the same socket address, each with SO_REUSEPORT (or on a
     * duplicate of one inherited socket): the kernel spreads connections over them; the first
     * is returned and closing it closes the others.
     */
    private UvTcp listenOnAllLoops(TcpFactory factory, ListenerSocket socket)
            throws UvException {
        List<UvTcp> servers = new ArrayList<>();
        try {
            for (EventLoop loop : factory.loops()) {
                UvTcp first = servers.isEmpty() ? null : servers.get(0);
                servers.add(listenOn(socket.make(loop, first)));
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

    /** Makes {@code server} (bound, or adopted) listen; closes it if it cannot. */
    private UvTcp listenOn(UvTcp server) throws UvException {
        try {
            server.listen(options.backlog(), this);
        } catch (UvException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** The listener's loop thread: a connection is waiting (or listening failed). */
    @Override
    public void onConnection(Stream listener, UvException error) {
        UvTcp server = (UvTcp) listener;
        if (error != null) {
            tellAcceptError(server, error);
            return;
        }
        UvTcp connection;
        try {
            connection = (UvTcp) server.acceptOnLoop();
        } catch (UvException acceptError) {
            tellAcceptError(server, acceptError);
            return;
        } catch (HandleClosedException ownerReleased) {
            return;
        }
        if (!tryOpen()) {
            resetExcess(connection);
            tellAcceptError(server, UvErrors.exception(ErrorCodes.ECONNABORTED, "accept on "
                    + server.label() + ": " + options.maxConnections() + " connections are "
                    + "open (maxConnections); the new one was reset"));
            return;
        }
        if (handOff == null) {
            serve(server, connection);
            return;
        }
        handOff.dispatch(connection, moved -> serve(server, moved), handOffError -> {
            if (limited()) {
                open.decrementAndGet();
            }
            tellAcceptError(server, handOffError);
        });
    }

    private void tellAcceptError(UvTcp server, UvException error) {
        UvHandle.guard("ConnectionHandler of " + server.label(),
                () -> handler.onAcceptError(server, error));
    }

    /**
     * The connection's loop thread: applies the server's options to an accepted connection and
     * hands it to the handler.
     */
    private void serve(UvTcp server, UvTcp connection) {
        if (limited()) {
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

    private boolean limited() {
        return options.maxConnections() != Integer.MAX_VALUE;
    }

    /**
     * Counts one more open connection unless the limit is reached (no limit: no counting).
     * Atomic, as the listeners of one server on several loops share the count.
     */
    private boolean tryOpen() {
        if (!limited()) {
            return true;
        }
        int max = options.maxConnections();
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
}
