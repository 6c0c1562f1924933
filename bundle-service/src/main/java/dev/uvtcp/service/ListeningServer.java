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
     * Binds and listens as {@code options} say, with the handles made by {@code factory}.
     *
     * @return the listener; with {@link dev.uvtcp.LoopSpread#LISTENER_PER_LOOP} the first one,
     *     whose closing closes the others
     */
    static UvTcp start(TcpFactory factory, InetSocketAddress address, ListenOptions options,
            ConnectionHandler handler) throws UvException {
        switch (options.loopSpread()) {
            case LISTENER_PER_LOOP:
                return new ListeningServer(options, handler, null)
                        .listenOnAllLoops(factory, address);
            case ACCEPTOR_HANDS_OFF:
                return new ListeningServer(options, handler, new ConnectionHandOff(factory))
                        .listenOn(factory, null, address);
            default:
                return new ListeningServer(options, handler, null)
                        .listenOn(factory, null, address);
        }
    }

    /**
     * One listener per loop on the same address, each with SO_REUSEPORT (the kernel spreads
     * connections over them); the first is returned and closing it closes the others.
     */
    private UvTcp listenOnAllLoops(TcpFactory factory, InetSocketAddress address)
            throws UvException {
        List<UvTcp> servers = new ArrayList<>();
        try {
            InetSocketAddress bindTo = address;
            for (EventLoop loop : factory.loops()) {
                UvTcp server = listenOn(factory, loop, bindTo);
                servers.add(server);
                if (bindTo.getPort() == 0) {
                    // Port 0: the first listener picked a port; the others take the same one.
                    bindTo = new InetSocketAddress(address.getAddress(),
                            server.localAddress().getPort());
                }
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

    /** A listener on {@code loop} (with SO_REUSEPORT), or on the factory's choice when null. */
    private UvTcp listenOn(TcpFactory factory, EventLoop loop, InetSocketAddress address)
            throws UvException {
        UvTcp server = loop == null ? factory.newTcp(null)
                : factory.newTcpOn(loop, address.getAddress() instanceof Inet6Address
                        ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            if (loop != null) {
                server.reusePort();
            }
            server.bind(address);
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
