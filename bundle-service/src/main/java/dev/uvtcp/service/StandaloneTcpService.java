package dev.uvtcp.service;

import dev.uvtcp.ConnectionHandler;
import dev.uvtcp.Handle;
import dev.uvtcp.Loop;
import dev.uvtcp.Tcp;
import dev.uvtcp.TcpService;
import dev.uvtcp.UvException;
import dev.uvtcp.jni.UvNative;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The plain-Java entry point: a {@link TcpService} with its own loop threads, for use outside
 * OSGi.
 *
 * <pre>{@code
 * try (StandaloneTcpService uv = StandaloneTcpService.start()) {
 *     Tcp server = uv.listen("127.0.0.1", 7007, 128, connection -> ...);
 *     ...
 * }
 * }</pre>
 *
 * <p>Threading: all methods may be called from any thread, except {@link #close()}, which must
 * not be called on one of this service's loop threads (it waits for them to end).
 *
 * <p>Lifetime: {@link #close()} closes every handle created through this service, stops the
 * loops and joins their threads. The loop threads are not daemon threads: an open service keeps
 * the JVM running, as a server should.
 */
public final class StandaloneTcpService implements TcpService, AutoCloseable {

    private final LoopGroup group;
    private final TcpServiceView view;

    private StandaloneTcpService(LoopGroup group) {
        this.group = group;
        this.view = new TcpServiceView(group, "standalone TcpService");
    }

    /**
     * Starts a service with {@link TcpServiceSettings#defaults()}.
     *
     * @return the running service
     * @throws UvException if libuv cannot create a loop
     * @throws UnsatisfiedLinkError if the native library cannot be loaded on this platform
     */
    public static StandaloneTcpService start() throws UvException {
        return start(TcpServiceSettings.defaults());
    }

    /**
     * Starts a service.
     *
     * @param settings loops, read buffer size, thread names
     * @return the running service; its loop threads have started when this returns
     * @throws NullPointerException if settings is null
     * @throws UvException if libuv cannot create a loop (none is left running then)
     */
    public static StandaloneTcpService start(TcpServiceSettings settings) throws UvException {
        if (settings == null) {
            throw new NullPointerException("settings");
        }
        return new StandaloneTcpService(LoopGroup.start(settings));
    }

    /**
     * @return the version of the libuv built into the native library, e.g. {@code "1.44.2"}
     * @throws UnsatisfiedLinkError if the native library cannot be loaded on this platform
     */
    public static String libuvVersion() {
        return UvNative.version();
    }

    @Override
    public Tcp newTcp() throws UvException {
        return view.newTcp();
    }

    @Override
    public Tcp newTcp(ProtocolFamily family) throws UvException {
        return view.newTcp(family);
    }

    @Override
    public Tcp open(int fd) throws UvException {
        return view.open(fd);
    }

    @Override
    public CompletionStage<Tcp> connect(InetSocketAddress address) {
        return view.connect(address);
    }

    @Override
    public CompletionStage<Tcp> connect(String host, int port) {
        return view.connect(host, port);
    }

    @Override
    public Tcp listen(InetSocketAddress address, int backlog, ConnectionHandler handler)
            throws UvException {
        return view.listen(address, backlog, handler);
    }

    @Override
    public Tcp listen(InetSocketAddress address, dev.uvtcp.ListenOptions options,
            ConnectionHandler handler) throws UvException {
        return view.listen(address, options, handler);
    }

    @Override
    public Tcp listen(String host, int port, int backlog, ConnectionHandler handler)
            throws UvException {
        return view.listen(host, port, backlog, handler);
    }

    @Override
    public List<Loop> loops() {
        return view.loops();
    }

    @Override
    public List<Handle> handles() {
        return view.handles();
    }

    /**
     * Closes every handle, stops the loops and waits for their threads to end. Idempotent.
     *
     * @throws IllegalStateException if called on one of this service's loop threads
     */
    @Override
    public void close() {
        group.requireOutsideLoops();
        view.release();
        group.close();
    }
}
