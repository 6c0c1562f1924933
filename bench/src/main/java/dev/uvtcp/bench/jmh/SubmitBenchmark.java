package dev.uvtcp.bench.jmh;

import dev.uvtcp.Loop;
import dev.uvtcp.service.StandaloneTcpService;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cross-thread submit path: {@link Loop#execute} from a non-loop thread (MPSC queue plus a
 * batched {@code uv_async_send}), and a synchronous round trip ({@code execute} then wait).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SubmitBenchmark {

    private StandaloneTcpService service;
    private Loop loop;
    private final AtomicLong ran = new AtomicLong();
    private final Runnable task = ran::incrementAndGet;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        service = StandaloneTcpService.start();
        loop = service.loops().get(0);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        service.close();
    }

    /** Fire and forget: the cost on the submitting thread (wake-ups batched). */
    @Benchmark
    public void execute() {
        loop.execute(task);
    }

    /**
     * Submit and wait for the loop to have run it: the latency of one hand-over and back
     * ({@code CompletableFuture.join} spins briefly before it parks, as uvtcp's synchronous
     * calls do).
     */
    @Benchmark
    public Object executeAndWait() {
        CompletableFuture<Object> done = new CompletableFuture<>();
        loop.execute(() -> done.complete(this));
        return done.join();
    }
}
