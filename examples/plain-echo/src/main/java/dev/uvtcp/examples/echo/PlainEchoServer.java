package dev.uvtcp.examples.echo;

import dev.uvtcp.ReadHandler;
import dev.uvtcp.Stream;
import dev.uvtcp.Tcp;
import dev.uvtcp.UvException;
import dev.uvtcp.service.StandaloneTcpService;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;

/**
 * An echo server on a plain classpath: {@code PlainEchoServer [host] [port]}, by default
 * 127.0.0.1:7007. Runs until the process is stopped (Ctrl-C), then closes everything.
 */
public final class PlainEchoServer {

    private PlainEchoServer() {
    }

    /**
     * Starts the server and blocks until the JVM is asked to stop.
     *
     * @param args optional host and port
     * @throws UvException if the address cannot be served (e.g. EADDRINUSE)
     * @throws InterruptedException if the main thread is interrupted while serving
     */
    public static void main(String[] args) throws UvException, InterruptedException {
        String host = args.length > 0 ? args[0] : "127.0.0.1";
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 7007;
        StandaloneTcpService service = StandaloneTcpService.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            stopped.countDown();
        }, "uvtcp-echo-shutdown"));
        Tcp server = service.listen(host, port, 128, connection -> {
            try {
                connection.startReading(new Echo());
            } catch (UvException e) {
                connection.close();
            }
        });
        InetSocketAddress bound = server.localAddress();
        System.out.println("uvtcp echo server on " + bound.getAddress().getHostAddress() + ":"
                + bound.getPort() + " (libuv "
                + StandaloneTcpService.libuvVersion() + "); Ctrl-C stops it");
        stopped.await();
    }

    /** Writes back what it reads; closes the connection when the peer is done. */
    private static final class Echo implements ReadHandler {
        @Override
        public void onRead(Stream stream, ByteBuffer data) {
            stream.write(data);
        }

        @Override
        public void onEnd(Stream stream) {
            stream.close();
        }
    }
}
