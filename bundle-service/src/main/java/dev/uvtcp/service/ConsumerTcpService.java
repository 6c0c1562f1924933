package dev.uvtcp.service;

import dev.uvtcp.ConnectionHandler;
import dev.uvtcp.Handle;
import dev.uvtcp.ListenOptions;
import dev.uvtcp.Loop;
import dev.uvtcp.Tcp;
import dev.uvtcp.TcpService;
import dev.uvtcp.UvException;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * The {@link TcpService} of one consumer (a bundle, a whiteboard server, a standalone user):
 * its handles live on the shared loops of a {@link LoopGroup} and belong to the consumer, so
 * that {@link #release()} closes everything it left open. What it does is told apart: the
 * consumer's {@link HandleOwnership}, the {@link TcpFactory} that makes its handles, and the
 * {@link ListeningServer} behind each {@code listen}.
 *
 * <p>Threading: any thread, as {@link TcpService} says. Lifetime: from construction until
 * {@link #release()}; afterwards it makes no handle.
 */
public final class ConsumerTcpService implements TcpService {

    private final LoopGroup group;
    private final HandleOwnership ownership;
    private final TcpFactory factory;

    /**
     * @param group the shared loops
     * @param ownerName who the consumer is, used in messages (e.g. a bundle's name)
     */
    public ConsumerTcpService(LoopGroup group, String ownerName) {
        this(group, ownerName, -1);
    }

    /**
     * @param group the shared loops
     * @param ownerName who the consumer is, used in messages (e.g. a bundle's name)
     * @param ownerBundleId the id of that bundle, or -1; shown by the runtime introspection
     */
    public ConsumerTcpService(LoopGroup group, String ownerName, long ownerBundleId) {
        this.group = group;
        this.ownership = new HandleOwnership(group, ownerName, ownerBundleId);
        this.factory = new TcpFactory(group, ownership);
    }

    @Override
    public Tcp newTcp() throws UvException {
        return factory.newTcp(null);
    }

    @Override
    public Tcp newTcp(ProtocolFamily family) throws UvException {
        Objects.requireNonNull(family, "family");
        if (family != StandardProtocolFamily.INET && family != StandardProtocolFamily.INET6) {
            throw new IllegalArgumentException("TCP needs INET or INET6, not " + family);
        }
        return factory.newTcp(family);
    }

    @Override
    public Tcp open(int fd) throws UvException {
        if (fd < 0) {
            throw new IllegalArgumentException("fd must be >= 0, was " + fd);
        }
        // The native side adopts a duplicate of fd and checks that (a stream socket), so
        // nothing here can race with whoever owns the number fd.
        return factory.adopt(null, fd);
    }

    @Override
    public CompletionStage<Tcp> connect(InetSocketAddress address) {
        SocketAddresses.requireResolved(address, "address");
        SocketAddresses.requirePort(address.getPort(), false);
        UvTcp tcp;
        try {
            tcp = factory.newTcp(null);
        } catch (UvException | RuntimeException e) {
            return CompletableFuture.failedStage(e);
        }
        return tcp.connect(address).handle((ignored, error) -> {
            if (error != null) {
                tcp.close();
                throw error instanceof RuntimeException re ? re : new CompletionException(error);
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
        return ListeningServer.start(factory, ListeningServer.bound(factory, address), options,
                handler);
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
     * consumer, like one made by {@code listen}, and closed by {@link #release()}.
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
        return ListeningServer.start(factory, ListeningServer.adopted(factory, fd), options,
                handler);
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
        return List.copyOf(ownership.handles());
    }

    /**
     * Closes every handle this consumer owns and refuses new ones. Waits until each descriptor
     * is closed, so must not be called on a loop thread that another handle's close waits for.
     * Idempotent; any thread.
     */
    public void release() {
        ownership.release();
    }
}
