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
 * A {@link TcpService} that hands every call to one consumer's {@link TcpServiceView}; the
 * published services (standalone and OSGi) add only how the view is made and released.
 * Threading and lifetime are those of the view: any thread, until released.
 */
public abstract class DelegatingTcpService implements TcpService {

    public final TcpServiceView view;

    protected DelegatingTcpService(TcpServiceView view) {
        this.view = view;
    }

    @Override
    public final Tcp newTcp() throws UvException {
        return view.newTcp();
    }

    @Override
    public final Tcp newTcp(ProtocolFamily family) throws UvException {
        return view.newTcp(family);
    }

    @Override
    public final Tcp open(int fd) throws UvException {
        return view.open(fd);
    }

    @Override
    public final CompletionStage<Tcp> connect(InetSocketAddress address) {
        return view.connect(address);
    }

    @Override
    public final CompletionStage<Tcp> connect(String host, int port) {
        return view.connect(host, port);
    }

    @Override
    public final Tcp listen(InetSocketAddress address, int backlog, ConnectionHandler handler)
            throws UvException {
        return view.listen(address, backlog, handler);
    }

    @Override
    public final Tcp listen(InetSocketAddress address, ListenOptions options,
            ConnectionHandler handler) throws UvException {
        return view.listen(address, options, handler);
    }

    @Override
    public final Tcp listen(String host, int port, int backlog, ConnectionHandler handler)
            throws UvException {
        return view.listen(host, port, backlog, handler);
    }

    /**
     * Serves a socket handed over by a service manager ({@link InheritedSockets}); see
     * {@link TcpServiceView#listenInherited} for threading, lifetime and errors.
     *
     * @param fd the inherited descriptor; it stays open and the caller's
     * @param options backlog, limits and loop spread
     * @param handler gets every accepted connection, on a loop thread
     * @return the listener, on a duplicate of {@code fd}
     * @throws UvException if {@code fd} is not a stream socket, or listen fails
     */
    public final Tcp listenInherited(int fd, ListenOptions options, ConnectionHandler handler)
            throws UvException {
        return view.listenInherited(fd, options, handler);
    }

    @Override
    public final List<Loop> loops() {
        return view.loops();
    }

    @Override
    public final List<Handle> handles() {
        return view.handles();
    }
}
