package dev.uvtcp.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A client that keeps connecting to a loopback port while a server restarts: one thread opens
 * a connection every {@code intervalMillis} and sends its number, without waiting for the
 * answer; a second thread checks each connection's echo, oldest first. So connections made
 * while no server runs pile up in the listening socket's accept queue instead of being tried
 * one at a time. Bounded: at most {@code maxConnections} connections and {@code maxMillis} of
 * connecting, each echo awaited at most {@code echoTimeoutMillis}.
 *
 * <p>Threading: {@link #start} and {@link #stop} from the test thread; the counters from any.
 */
final class ConnectingClient {

    /** A connection made and waiting for its echo. */
    private record Pending(Socket socket, int number, long connectedNanos) {
    }

    private final int port;
    private final long intervalMillis;
    private final int maxConnections;
    private final long maxMillis;
    private final int echoTimeoutMillis;
    private final BlockingQueue<Pending> pending;
    private final Thread connector;
    private final Thread checker;
    private volatile boolean stopping;
    private volatile boolean connectorDone;

    /** Connections refused (ECONNREFUSED): what socket activation must never let happen. */
    final AtomicInteger refused = new AtomicInteger();
    /** Connections answered with their own number. */
    final AtomicInteger echoed = new AtomicInteger();
    /** Connections ended or reset by the server before their echo. */
    final AtomicInteger cut = new AtomicInteger();
    /** Connects or echoes that failed otherwise (timeouts). */
    final AtomicInteger failed = new AtomicInteger();
    /** When each echoed connection was made ({@link System#nanoTime()}). */
    private final Queue<Long> echoedConnectedAt = new ConcurrentLinkedQueue<>();

    ConnectingClient(int port, long intervalMillis, int maxConnections, long maxMillis,
            int echoTimeoutMillis) {
        this.port = port;
        this.intervalMillis = intervalMillis;
        this.maxConnections = maxConnections;
        this.maxMillis = maxMillis;
        this.echoTimeoutMillis = echoTimeoutMillis;
        this.pending = new ArrayBlockingQueue<>(maxConnections);
        this.connector = new Thread(this::connect, "connecting-client");
        this.checker = new Thread(this::check, "connecting-client-checker");
    }

    void start() {
        connector.start();
        checker.start();
    }

    /**
     * @return how many echoed connections were made from {@code startNanos} to {@code
     *     endNanos} ({@link System#nanoTime()})
     */
    long echoedConnectedBetween(long startNanos, long endNanos) {
        return echoedConnectedAt.stream().filter(at -> at >= startNanos && at <= endNanos)
                .count();
    }

    /** Stops connecting, waits for the echoes still due, closes every connection. */
    void stop() throws InterruptedException {
        stopping = true;
        connector.join(10_000L + echoTimeoutMillis);
        checker.join(10_000L + 2L * echoTimeoutMillis);
        connector.interrupt();
        checker.interrupt();
        for (Pending left; (left = pending.poll()) != null;) {
            close(left.socket());
        }
    }

    private void connect() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMillis);
        try {
            for (int number = 0; number < maxConnections && !stopping
                    && System.nanoTime() < deadline; number++) {
                Socket socket = new Socket();
                try {
                    socket.connect(new InetSocketAddress("127.0.0.1", port),
                            echoTimeoutMillis);
                    socket.setSoTimeout(echoTimeoutMillis);
                    socket.getOutputStream().write(ByteBuffer.allocate(4).putInt(number)
                            .array());
                    pending.put(new Pending(socket, number, System.nanoTime()));
                } catch (ConnectException e) {
                    refused.incrementAndGet();
                    close(socket);
                } catch (IOException e) {
                    failed.incrementAndGet();
                    close(socket);
                }
                Thread.sleep(intervalMillis);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            connectorDone = true;
        }
    }

    private void check() {
        try {
            while (!(connectorDone && pending.isEmpty())) {
                Pending next = pending.poll(100, TimeUnit.MILLISECONDS);
                if (next != null) {
                    checkEcho(next);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void checkEcho(Pending connection) {
        try (Socket socket = connection.socket()) {
            InputStream in = socket.getInputStream();
            byte[] answer = in.readNBytes(4);
            if (answer.length == 4 && ByteBuffer.wrap(answer).getInt() == connection.number()) {
                echoedConnectedAt.add(connection.connectedNanos());
                echoed.incrementAndGet();
            } else {
                cut.incrementAndGet();
            }
        } catch (java.net.SocketTimeoutException e) {
            failed.incrementAndGet();
        } catch (IOException e) {
            cut.incrementAndGet();
        }
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a socket that failed
        }
    }

    @Override
    public String toString() {
        return echoed + " echoed, " + refused + " refused, " + cut + " cut by the stopping launcher, "
                + failed + " timed out";
    }
}
