package dev.uvtcp.service;

import dev.uvtcp.ReadHandler;
import dev.uvtcp.Stream;
import dev.uvtcp.Tcp;
import dev.uvtcp.UvException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client process of {@link ConcurrentConnectionsSoakTest}: opens {@code connections}
 * uvtcp connections to 127.0.0.1:{@code port}, then for {@code seconds} sends a 32-byte
 * message on each one every {@code intervalMs} (spread evenly) and measures the time until
 * its echo is back. Prints {@code CONNECTED <n> <ms>} once all are open, then one
 * {@code RESULT ...} line, and exits.
 *
 * <p>Arguments: port connections seconds intervalMs.
 */
public final class EchoLoadClient {

    private static final int MESSAGE = 32;
    private static final int TICK_MS = 10;

    private EchoLoadClient() {
    }

    /** Loop thread only, except for the counters. */
    private static final class Conn implements ReadHandler {
        final Tcp tcp;
        long sentAt;
        int pending;

        Conn(Tcp tcp) {
            this.tcp = tcp;
        }

        @Override
        public void onRead(Stream s, ByteBuffer data) {
            pending -= data.remaining();
            if (pending <= 0 && sentAt != 0) {
                record(System.nanoTime() - sentAt);
                sentAt = 0;
            }
        }

        @Override
        public void onEnd(Stream s) {
            ERRORS.incrementAndGet();
            s.close();
        }

        @Override
        public void onError(Stream s, UvException e) {
            ERRORS.incrementAndGet();
            s.close();
        }
    }

    private static final AtomicLong ERRORS = new AtomicLong();
    private static final AtomicLong SKIPPED = new AtomicLong();
    private static long[] samples = new long[0];
    private static int sampleCount;

    private static void record(long nanos) {
        if (sampleCount < samples.length) {
            samples[sampleCount++] = nanos;
        }
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int connections = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        int intervalMs = Integer.parseInt(args[3]);
        samples = new long[(int) Math.min(50_000_000L,
                (long) connections * seconds * 1000 / intervalMs + connections)];
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
        ByteBuffer message = ByteBuffer.allocateDirect(MESSAGE).asReadOnlyBuffer();
        try (StandaloneTcpService service = StandaloneTcpService.start(
                TcpServiceSettings.defaults().withThreadNamePrefix("load-"))) {
            Conn[] conns = new Conn[connections];
            Semaphore inFlight = new Semaphore(256);
            AtomicInteger failedConnects = new AtomicInteger();
            long start = System.nanoTime();
            for (int i = 0; i < connections; i++) {
                if (!inFlight.tryAcquire(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("connects stalled at " + i);
                }
                int index = i;
                service.connect(address).whenComplete((tcp, error) -> {
                    inFlight.release();
                    if (error != null) {
                        failedConnects.incrementAndGet();
                        return;
                    }
                    Conn c = new Conn(tcp);
                    try {
                        tcp.startReading(c);
                        conns[index] = c;
                    } catch (UvException e) {
                        failedConnects.incrementAndGet();
                        tcp.close();
                    }
                });
            }
            if (!inFlight.tryAcquire(256, 30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("connects did not finish");
            }
            long connectMs = (System.nanoTime() - start) / 1_000_000;
            System.out.println("CONNECTED " + (connections - failedConnects.get()) + " "
                    + connectMs);
            System.out.flush();

            ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
            int slices = Math.max(1, intervalMs / TICK_MS);
            AtomicLong tick = new AtomicLong();
            ticker.scheduleAtFixedRate(() -> service.loops().get(0).execute(() -> {
                int slice = (int) (tick.getAndIncrement() % slices);
                for (int i = slice; i < conns.length; i += slices) {
                    Conn c = conns[i];
                    if (c == null || c.tcp.isClosed()) {
                        continue;
                    }
                    if (c.sentAt != 0) {
                        SKIPPED.incrementAndGet(); // previous echo not back yet
                        continue;
                    }
                    c.sentAt = System.nanoTime();
                    c.pending = MESSAGE;
                    c.tcp.write(message.duplicate());
                }
            }), TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
            Thread.sleep(seconds * 1000L);
            ticker.shutdown();
            ticker.awaitTermination(5, TimeUnit.SECONDS);
            Thread.sleep(500); // last echoes
            long[] result = service.loops().get(0) instanceof EventLoop loop
                    ? loop.call(() -> Arrays.copyOf(samples, sampleCount)) : new long[0];
            int open = 0;
            for (Conn c : conns) {
                if (c != null && !c.tcp.isClosed()) {
                    open++;
                }
            }
            Arrays.sort(result);
            System.out.printf("RESULT connected=%d open=%d failedConnects=%d samples=%d "
                    + "skipped=%d errors=%d p50us=%d p90us=%d p99us=%d p999us=%d maxus=%d%n",
                    connections - failedConnects.get(), open, failedConnects.get(),
                    result.length, SKIPPED.get(), ERRORS.get(), pct(result, 0.50),
                    pct(result, 0.90), pct(result, 0.99), pct(result, 0.999),
                    result.length == 0 ? -1 : result[result.length - 1] / 1000);
            System.out.flush();
        }
    }

    private static long pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return -1;
        }
        return sorted[Math.min(sorted.length - 1, (int) (sorted.length * p))] / 1000;
    }
}
