package dev.uvtcp.service;

import dev.uvtcp.ConnectionHandler;
import dev.uvtcp.Handle;
import dev.uvtcp.HandleClosedException;
import dev.uvtcp.Loop;
import dev.uvtcp.Tcp;
import dev.uvtcp.TcpService;
import dev.uvtcp.UvException;
import dev.uvtcp.jni.UvNative;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;

/**
 * One consumer's {@link TcpService}: creates handles on the shared loops and owns them, so that
 * {@link #release()} closes everything the consumer left open.
 */
final class TcpServiceView implements TcpService, HandleOwner {

    private final LoopGroup group;
    private final String ownerName;
    private final Set<UvHandle> handles = ConcurrentHashMap.newKeySet();
    private volatile boolean released;

    /**
     * @param ownerName who this view is for, used in messages (e.g. a bundle's name)
     */
    TcpServiceView(LoopGroup group, String ownerName) {
        this.group = group;
        this.ownerName = ownerName;
    }

    @Override
    public void adopt(UvHandle handle) {
        handles.add(handle);
        if (released) {
            handles.remove(handle);
            throw released("create a handle");
        }
    }

    @Override
    public void forget(UvHandle handle) {
        handles.remove(handle);
    }

    private HandleClosedException released(String operation) {
        return new HandleClosedException(operation + ": the TcpService of " + ownerName
                + " has been released");
    }

    private UvTcp create(int domain) throws UvException {
        if (released) {
            throw released("create a handle");
        }
        EventLoop loop = group.next();
        try {
            return loop.call(() -> UvTcp.createOnLoop(loop, this, group.bufferPool(), domain));
        } catch (RejectedExecutionException loopGone) {
            throw released("create a handle");
        }
    }

    @Override
    public Tcp newTcp() throws UvException {
        return create(UvNative.DOMAIN_UNSPEC);
    }

    @Override
    public Tcp newTcp(ProtocolFamily family) throws UvException {
        Objects.requireNonNull(family, "family");
        if (family == StandardProtocolFamily.INET) {
            return create(UvNative.DOMAIN_INET);
        }
        if (family == StandardProtocolFamily.INET6) {
            return create(UvNative.DOMAIN_INET6);
        }
        throw new IllegalArgumentException("TCP needs INET or INET6, not " + family);
    }

    @Override
    public Tcp open(int fd) throws UvException {
        if (fd < 0) {
            throw new IllegalArgumentException("fd must be >= 0, was " + fd);
        }
        UvTcp tcp = create(UvNative.DOMAIN_UNSPEC);
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

    @Override
    public CompletionStage<Tcp> connect(InetSocketAddress address) {
        SocketAddresses.requireResolved(address, "address");
        SocketAddresses.requirePort(address.getPort(), false);
        UvTcp tcp;
        try {
            tcp = create(UvNative.DOMAIN_UNSPEC);
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
        SocketAddresses.requireResolved(address, "address");
        Objects.requireNonNull(handler, "handler");
        if (backlog < 0) {
            throw new IllegalArgumentException("backlog must be >= 0, was " + backlog);
        }
        UvTcp server = create(UvNative.DOMAIN_UNSPEC);
        try {
            server.bind(address);
            server.listen(backlog, (listener, error) -> {
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
                UvHandle.guard("ConnectionHandler of " + server.label(),
                        () -> handler.onConnection((Tcp) connection));
            });
        } catch (UvException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
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
        return List.copyOf(handles);
    }

    /**
     * Closes every handle this view owns and refuses new ones. Waits until each descriptor is
     * closed. Idempotent.
     */
    void release() {
        released = true;
        for (UvHandle handle : List.copyOf(handles)) {
            handle.close();
        }
    }

    boolean isReleased() {
        return released;
    }
}
