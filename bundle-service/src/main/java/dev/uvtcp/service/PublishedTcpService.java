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
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The base of every {@link TcpService} handed to a user ({@link StandaloneTcpService}, the OSGi
 * component): each is one consumer's {@link ConsumerTcpService}, to which every {@code
 * TcpService} call goes unchanged; a subclass adds only how that is made and when it is
 * released. Composition rather than inheritance from {@code ConsumerTcpService}, so that the
 * published types show the {@code TcpService} methods and their own, not {@code release()}.
 *
 * <p>Threading and lifetime are those of the consumer's service: any thread, until released.
 */
public abstract class PublishedTcpService implements TcpService {

    /** The consumer's service every call goes to; subclasses release it. */
    protected final ConsumerTcpService consumer;

    /** @param consumer the consumer's service every call goes to */
    protected PublishedTcpService(ConsumerTcpService consumer) {
        this.consumer = consumer;
    }

    @Override
    public final Tcp newTcp() throws UvException {
        return consumer.newTcp();
    }

    @Override
    public final Tcp newTcp(ProtocolFamily family) throws UvException {
        return consumer.newTcp(family);
    }

    @Override
    public final Tcp open(int fd) throws UvException {
        return consumer.open(fd);
    }

    @Override
    public final CompletionStage<Tcp> connect(InetSocketAddress address) {
        return consumer.connect(address);
    }

    @Override
    public final CompletionStage<Tcp> connect(String host, int port) {
        return consumer.connect(host, port);
    }

    @Override
    public final Tcp listen(InetSocketAddress address, int backlog, ConnectionHandler handler)
            throws UvException {
        return consumer.listen(address, backlog, handler);
    }

    @Override
    public final Tcp listen(InetSocketAddress address, ListenOptions options,
            ConnectionHandler handler) throws UvException {
        return consumer.listen(address, options, handler);
    }

    @Override
    public final Tcp listen(String host, int port, int backlog, ConnectionHandler handler)
            throws UvException {
        return consumer.listen(host, port, backlog, handler);
    }

    /**
     * Serves a socket handed over by a service manager ({@link InheritedSockets}); see
     * {@link ConsumerTcpService#listenInherited} for threading, lifetime and errors.
     *
     * @param fd the inherited descriptor; it stays open and the caller's
     * @param options backlog, limits and loop spread
     * @param handler gets every accepted connection, on a loop thread
     * @return the listener, on a duplicate of {@code fd}
     * @throws UvException if {@code fd} is not a stream socket, or listen fails
     */
    public final Tcp listenInherited(int fd, ListenOptions options, ConnectionHandler handler)
            throws UvException {
        return consumer.listenInherited(fd, options, handler);
    }

    @Override
    public final List<Loop> loops() {
        return consumer.loops();
    }

    @Override
    public final List<Handle> handles() {
        return consumer.handles();
    }
}
