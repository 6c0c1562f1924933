package dev.uvtcp.service;

import static dev.uvtcp.service.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.HandleClosedException;
import dev.uvtcp.Tcp;
import dev.uvtcp.UvException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Handles shared by many threads at once, with a close racing everything else. */
class ConcurrentUseTest {

    private static final int THREADS = 8;
    private static final int ROUNDS = 12;

    @Test
    void eightForeignThreadsRacingOnSharedHandlesOnlySeeDocumentedExceptions() throws Exception {
        Queue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
        java.util.concurrent.atomic.AtomicLong succeeded = new java.util.concurrent.atomic.AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try (StandaloneTcpService service = StandaloneTcpService.start(new TcpServiceSettings(
                2, 64 * 1024, TestSupport.uniquePrefix("race")))) {
            Tcp server = TestSupport.startEchoServer(service);
            for (int round = 0; round < ROUNDS; round++) {
                Tcp a = await(service.connect(server.localAddress()));
                Tcp b = await(service.connect(server.localAddress()));
                Tcp[] shared = {a, b, service.newTcp()};
                a.startReading((stream, data) -> { });
                b.startReading((stream, data) -> { });
                Queue<CompletableFuture<Void>> allWrites = new ConcurrentLinkedQueue<>();
                CountDownLatch go = new CountDownLatch(1);
                CountDownLatch closed = new CountDownLatch(1);
                java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
                long closeAfterNanos = TimeUnit.MILLISECONDS.toNanos(
                        ThreadLocalRandom.current().nextInt(5, 60));
                List<Future<?>> workers = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    int id = t;
                    workers.add(pool.submit(() -> {
                        go.await();
                        long start = System.nanoTime();
                        ThreadLocalRandom random = ThreadLocalRandom.current();
                        boolean closer = id == 0;
                        while (!stop.get()) {
                            Tcp tcp = shared[random.nextInt(shared.length)];
                            if (closer && System.nanoTime() - start > closeAfterNanos) {
                                closer = false;
                                for (Tcp each : shared) {
                                    if (random.nextBoolean()) {
                                        each.close();
                                    } else {
                                        closeResetOrClose(each);
                                    }
                                }
                                closed.countDown();
                            }
                            try {
                                operate(tcp, random.nextInt(16), allWrites);
                                succeeded.incrementAndGet();
                            } catch (HandleClosedException | UvException expected) {
                                // documented outcomes of racing with close / unconnected use
                            } catch (Throwable other) {
                                unexpected.add(other);
                            }
                        }
                        return null;
                    }));
                }
                go.countDown();
                assertThat(closed.await(10, TimeUnit.SECONDS)).as("closer ran").isTrue();
                TestSupport.sleep(20); // let the others run into the closed handles
                stop.set(true);
                for (Future<?> worker : workers) {
                    worker.get(30, TimeUnit.SECONDS);
                }
                for (Tcp tcp : shared) {
                    tcp.close();
                    await(tcp.closeFuture());
                }
                for (CompletableFuture<Void> write : allWrites) {
                    try {
                        write.get(10, TimeUnit.SECONDS);
                    } catch (java.util.concurrent.ExecutionException e) {
                        if (!(e.getCause() instanceof UvException
                                || e.getCause() instanceof HandleClosedException)) {
                            unexpected.add(e.getCause());
                        }
                    }
                }
            }
            assertThat(unexpected).as("unexpected exceptions").isEmpty();
            assertThat(succeeded.get()).as("operations that succeeded").isGreaterThan(1000);
            // Only the server and the accepted ends (closed by the echo on EOF) may remain.
            assertThat(TestSupport.eventually(() -> service.handles().equals(List.of(server))))
                    .as("left open: %s", service.handles()).isTrue();
        } finally {
            pool.shutdownNow();
        }
    }

    private static void closeResetOrClose(Tcp tcp) {
        try {
            tcp.closeReset();
        } catch (UvException e) {
            tcp.close(); // EINVAL when not connected / after shutdown
        }
    }

    private static void operate(Tcp tcp, int op, Queue<CompletableFuture<Void>> writes)
            throws UvException {
        switch (op) {
            case 0 -> writes.add(tcp.write(ByteBuffer.wrap(new byte[128])).toCompletableFuture());
            case 1 -> writes.add(tcp.write(ByteBuffer.allocateDirect(64), ByteBuffer.allocate(64))
                    .toCompletableFuture());
            case 2 -> tcp.tryWrite(ByteBuffer.wrap(new byte[32]));
            case 3 -> tcp.isNoDelay();
            case 4 -> tcp.setNoDelay(ThreadLocalRandom.current().nextBoolean());
            case 5 -> tcp.setKeepAlive(true, 1 + ThreadLocalRandom.current().nextInt(100));
            case 6 -> tcp.localAddress();
            case 7 -> tcp.writeQueueSize();
            case 8 -> tcp.hasRef();
            case 9 -> tcp.isActive();
            case 10 -> tcp.sendBufferSize();
            case 11 -> tcp.attach(Thread.currentThread().getName());
            case 12 -> {
                tcp.unref();
                tcp.ref();
            }
            case 13 -> tcp.isReadable();
            case 14 -> tcp.remoteAddress();
            case 15 -> {
                tcp.stopReading();
                tcp.startReading((stream, data) -> { });
            }
            default -> throw new IllegalStateException("op " + op);
        }
    }
}
