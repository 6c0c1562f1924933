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
 * A {@link TcpService} that hands every call to one consumer's {@link ConsumerTcpService}; the
 * published services (standalone and OSGi) add only how the view is made and released.
 * Threading and lifetime are those of the view: any thread, until released.
 */
public abstract class PublishedTcpService implements TcpService {

    public final ConsumerTcpService view;

    protected PublishedTcpService(ConsumerTcpService view) {
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

    @Override
    public final List<Loop> loops() {
        return view.loops();
    }

    @Override
    public final List<Handle> handles() {
        return view.handles();
    }
}
