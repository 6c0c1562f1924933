package dev.uvtcp.service;

import dev.uvtcp.TcpService;
import dev.uvtcp.UvException;
import dev.uvtcp.jni.UvNative;

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
 * loops and joins their threads. <b>What keeps the JVM alive:</b> the loop threads are not
 * daemon threads, so from {@link #start()} until {@link #close()} the service keeps the JVM
 * running, as a server should, even after {@code main} has returned or thrown. Close it on
 * every path: with try-with-resources in a program that does its work and ends; in a server
 * that runs until it is stopped, in a shutdown hook (Ctrl-C) and, when it cannot serve (e.g.
 * {@code listen} throws EADDRINUSE), before it reports the error and exits:
 *
 * <pre>{@code
 * StandaloneTcpService uv = StandaloneTcpService.start();
 * try {
 *     uv.listen("127.0.0.1", 7007, 128, handler);
 * } catch (UvException e) {
 *     uv.close();                         // else the loop thread keeps the JVM running
 *     System.err.println(e.getMessage()); // "listen 127.0.0.1:7007: EADDRINUSE (...)"
 *     System.exit(1);
 * }
 * Runtime.getRuntime().addShutdownHook(new Thread(uv::close));
 * }</pre>
 */
public final class StandaloneTcpService extends PublishedTcpService
        implements AutoCloseable {

    private final LoopGroup group;

    private StandaloneTcpService(LoopGroup group) {
        super(new ConsumerTcpService(group, "standalone TcpService"));
        this.group = group;
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

    /**
     * Closes every handle, stops the loops and waits for their threads to end. Idempotent.
     *
     * @throws IllegalStateException if called on one of this service's loop threads
     */
    @Override
    public void close() {
        group.requireOutsideLoops();
        consumer.release();
        group.close();
    }
}
