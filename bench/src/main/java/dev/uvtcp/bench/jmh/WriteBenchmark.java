package dev.uvtcp.bench.jmh;

import dev.uvtcp.ReadHandler;
import dev.uvtcp.Tcp;
import dev.uvtcp.service.StandaloneTcpService;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code Stream.write} of 64 B and 64 KiB over loopback to a uvtcp server that discards what
 * it reads: from another thread (queued to the loop, the caller waits for completion) and on
 * the loop thread (the {@code uv_try_write} fast path; direct and heap buffers).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class WriteBenchmark {

    @Param({"64", "65536"})
    public int size;

    private StandaloneTcpService service;
    private Tcp server;
    private Tcp client;
    private ByteBuffer direct;
    private ByteBuffer heap;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        service = StandaloneTcpService.start();
        server = service.listen("127.0.0.1", 0, 128, c -> {
            try {
                c.startReading((ReadHandler) (s, data) -> { });
            } catch (Exception e) {
                c.close();
            }
        });
        client = service.connect("127.0.0.1", server.localAddress().getPort())
                .toCompletableFuture().get();
        direct = ByteBuffer.allocateDirect(size);
        heap = ByteBuffer.allocate(size);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        service.close();
    }

    /** From a non-loop thread, waiting for each write to complete. */
    @Benchmark
    public Object crossThreadDirect() {
        direct.clear();
        return client.write(direct).toCompletableFuture().join();
    }

    /**
     * On the loop thread: the fast path (direct buffer), 16 writes per hand-over; waits for the
     * last write to complete, so nothing piles up. Time per write.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object onLoopDirect() {
        return batch(direct);
    }

    /** As {@link #onLoopDirect()} with a heap buffer (copied once into pooled direct memory). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object onLoopHeap() {
        return batch(heap);
    }

    static final int BATCH = 16;

    private Object batch(ByteBuffer buffer) {
        CompletableFuture<Object> done = new CompletableFuture<>();
        client.loop().execute(() -> {
            CompletionStage<Void> last = null;
            for (int i = 0; i < BATCH; i++) {
                buffer.clear();
                last = client.write(buffer);
            }
            last.whenComplete((v, e) -> done.complete(e));
        });
        return done.join();
    }

}
