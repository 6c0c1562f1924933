package dev.uvtcp.examples.echo;

import dev.uvtcp.ReadHandler;
import dev.uvtcp.Tcp;
import dev.uvtcp.UvException;
import dev.uvtcp.service.StandaloneTcpService;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;

/**
 * An echo server on a plain classpath: {@code PlainEchoServer [host] [port]}, by default
 * 127.0.0.1:7007. Runs until the process is stopped (Ctrl-C), then closes everything.
 *
 * <p>When it cannot serve (the port is taken, a bad argument, no native library for this
 * platform) it prints one line on standard error and exits with status 1 (2 for a bad
 * argument). The service's loop thread is not a daemon thread, so it closes the service before
 * exiting: a service left open would keep the JVM running.
 */
public final class PlainEchoServer {

    /** Writes back what it reads; the default onEnd and onError close the connection. */
    private static final ReadHandler ECHO = (stream, data) -> stream.write(data);

    private PlainEchoServer() {
    }

    /**
     * Starts the server and blocks until the JVM is asked to stop.
     *
     * @param args optional host and port
     * @throws InterruptedException if the main thread is interrupted while serving
     */
    public static void main(String[] args) throws InterruptedException {
        String host = args.length > 0 ? args[0] : "127.0.0.1";
        int port = 7007;
        if (args.length > 1) {
            try {
                port = Integer.parseInt(args[1]);
            } catch (NumberFormatException e) {
                exit(2, "the port must be a number, not '" + args[1] + "' (usage: "
                        + "PlainEchoServer [host] [port])");
            }
        }
        if (args.length > 2) {
            exit(2, "usage: PlainEchoServer [host] [port]");
        }
        StandaloneTcpService service;
        try {
            service = StandaloneTcpService.start();
        } catch (UvException | UnsatisfiedLinkError e) {
            exit(1, "cannot start uvtcp: " + e.getMessage());
            return;
        }
        InetSocketAddress bound;
        try {
            Tcp server = service.listen(host, port, 128,
                    connection -> connection.startReading(ECHO));
            bound = server.localAddress();
        } catch (UvException | IllegalArgumentException e) {
            // e.g. "listen 127.0.0.1:7007: EADDRINUSE (address already in use)"
            service.close(); // stops the loop thread, which would keep the JVM alive
            exit(1, e.getMessage());
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            stopped.countDown();
        }, "uvtcp-echo-shutdown"));
        System.out.println("uvtcp echo server on " + bound.getAddress().getHostAddress() + ":"
                + bound.getPort() + " (libuv "
                + StandaloneTcpService.libuvVersion() + "); Ctrl-C stops it");
        stopped.await();
    }

    /** One line on standard error, then the exit status: what a script or a person needs. */
    private static void exit(int status, String line) {
        System.err.println("uvtcp echo server: " + line);
        System.exit(status);
    }
}
