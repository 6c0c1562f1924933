package dev.uvtcp.service;

import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.ListenOptions;
import dev.uvtcp.LoopSpread;
import dev.uvtcp.ReadHandler;
import dev.uvtcp.Stream;
import dev.uvtcp.Tcp;
import dev.uvtcp.TcpService;
import dev.uvtcp.UvException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Byte-exact stress of every write path (issue 10, item 2): a {@link BytePattern} stream is
 * pushed through each way bytes can be written, and its receiver checks <em>every byte</em>
 * (a running position and CRC-32C per connection, {@link StreamChecker}) and, at the end, the
 * total and checksum against what the sender says it wrote successfully.
 *
 * <p>Scenarios, each bounded in bytes and in time and each naming its write path in every
 * failure message: echoes of the read view (as the README's echo), of its {@code duplicate()}
 * and {@code slice()}, of heap and direct copies, as writev of mixed pieces and as
 * {@code tryWrite} then {@code write}; one-way streams in both directions (client to server,
 * server to client) through direct, heap, writev, tryWrite and read-only (borrowed) buffers,
 * from the loop thread, from another thread and from one writer handing off between the two;
 * writes racing {@code shutdown()} and {@code close()} (the receiver must get an exact
 * prefix); streams pumping while many other connections are closed with writes queued;
 * servers spreading connections over 2 loops (both {@link LoopSpread}s); a proxy writing the
 * read view to a connection on another loop; a write queue limit reached while the peer does
 * not read; and a client that is not uvtcp (C, {@code src/test/c/byte_exact_client.c}) pumping
 * 64 KiB writes, also after idle connections and reset ping-pong connections, as the outside
 * benchmark did. Small socket buffers (4 KiB: most writes partial), a CPU-burning thread beside
 * the loops, one loop and two are mixed in.
 *
 * <p>Size: {@code -Dstress.bytes} (suffixes k, m, g), default 2 GiB checked end to end over all
 * scenarios, shared by weight (about 15 s here); {@code -Pstress-long} checks 100 GiB.
 * {@code -Dstress.idle}: idle connections before the C client's pump (default 1,000; the
 * profile: 10,000). {@code -Dstress.only=a,b}: only the scenarios whose names contain a or b.
 */
class ByteExactStressTest {

    static final long TOTAL = parseBytes(System.getProperty("stress.bytes", "2g"));
    static final int IDLE = Integer.getInteger("stress.idle", 1000);

    private static final int SMALL_BUFFER = 4096;
    /** Echo: the client may be this far ahead of the echo it checked. */
    private static final long ECHO_WINDOW = 2L << 20;
    /** One-way: at most this many bytes written and not yet completed. */
    private static final long SEND_WINDOW = 4L << 20;
    private static final long RACE_WINDOW = 256 * 1024;
    private static final long QUEUE_LIMIT = 256 * 1024;
    private static final long LIMIT_SCENARIO_BYTES = 8L << 20;

    private static final AtomicLong CHECKED = new AtomicLong();
    private static final AtomicLong CHECKED_ON_THE_WAY = new AtomicLong();
    private static final AtomicInteger PASSED = new AtomicInteger();
    private static final AtomicLong NANOS = new AtomicLong();
    private static Path clientBinary;

    /** Loops, 4 KiB socket buffers, a CPU-burning thread. */
    record Setup(int loops, boolean small, boolean burner) {
        @Override
        public String toString() {
            return loops + (loops == 1 ? " loop" : " loops") + (small ? ", 4 KiB socket buffers"
                    : "") + (burner ? ", a CPU-burning thread" : "");
        }
    }

    private static final Setup ONE = new Setup(1, false, false);
    private static final Setup TWO = new Setup(2, false, false);

    @FunctionalInterface
    interface Body {
        void run(Run run) throws Exception;
    }

    /** A named scenario; weight: its share of {@link #TOTAL}, 0 for a fixed size. */
    record Scenario(String name, int weight, Body body) {
        @Override
        public String toString() {
            return name;
        }
    }

    enum Direction { CLIENT_TO_SERVER, SERVER_TO_CLIENT }

    /** The scenarios to run: all, or those whose name contains one of -Dstress.only=a,b. */
    static List<Scenario> scenarios() {
        String only = System.getProperty("stress.only", "");
        if (only.isBlank()) {
            return allScenarios();
        }
        List<String> parts = Arrays.asList(only.split(","));
        return allScenarios().stream()
                .filter(s -> parts.stream().anyMatch(p -> s.name().contains(p.trim())))
                .toList();
    }

    static List<Scenario> allScenarios() {
        PatternSender.Path lDirect = PatternSender.Path.LOOP_DIRECT;
        PatternSender.Path lHeap = PatternSender.Path.LOOP_HEAP;
        PatternSender.Path lWritev = PatternSender.Path.LOOP_WRITEV;
        PatternSender.Path lTry = PatternSender.Path.LOOP_TRY_WRITE;
        Setup small = new Setup(1, true, false);
        Setup smallTwo = new Setup(2, true, false);
        Setup burner = new Setup(1, false, true);
        Setup burnerTwo = new Setup(2, false, true);
        return List.of(
                echo("read view (README echo)", Relay.Path.READ_VIEW, lDirect, 4, ONE, 90),
                echo("read view", Relay.Path.READ_VIEW, lHeap, 2, small, 25),
                echo("read view", Relay.Path.READ_VIEW, lWritev, 4, burnerTwo, 45),
                echo("duplicate()", Relay.Path.DUPLICATE, lDirect, 2, ONE, 45),
                echo("slice()", Relay.Path.SLICE, lTry, 2, small, 25),
                echo("heap copies", Relay.Path.HEAP_COPY, PatternSender.Path.THREAD_DIRECT, 2,
                        TWO, 45),
                echo("direct copies", Relay.Path.DIRECT_COPY, PatternSender.Path.THREAD_HEAP, 2,
                        burner, 45),
                echo("writev heap+direct+view", Relay.Path.WRITEV_MIXED, lDirect, 2, smallTwo,
                        30),
                echo("tryWrite then write", Relay.Path.TRY_WRITE_THEN_WRITE,
                        PatternSender.Path.THREAD_WRITEV, 2, small, 30),
                oneWay(Direction.CLIENT_TO_SERVER, lHeap, 2, ONE, 45),
                oneWay(Direction.CLIENT_TO_SERVER, PatternSender.Path.THREAD_WRITEV, 2, smallTwo,
                        30),
                oneWay(Direction.CLIENT_TO_SERVER, PatternSender.Path.HAND_OFF_EXECUTE, 2, TWO,
                        45),
                oneWay(Direction.CLIENT_TO_SERVER, PatternSender.Path.HAND_OFF_QUEUE, 2, ONE, 30),
                oneWay(Direction.CLIENT_TO_SERVER, PatternSender.Path.THREAD_READ_ONLY, 2, ONE,
                        30),
                oneWay(Direction.SERVER_TO_CLIENT, lDirect, 2, small, 30),
                oneWay(Direction.SERVER_TO_CLIENT, lTry, 2, ONE, 30),
                oneWay(Direction.SERVER_TO_CLIENT, lWritev, 2, TWO, 30),
                oneWay(Direction.SERVER_TO_CLIENT, PatternSender.Path.THREAD_HEAP, 2, burner, 45),
                oneWay(Direction.SERVER_TO_CLIENT, PatternSender.Path.HAND_OFF_EXECUTE, 2,
                        smallTwo, 30),
                new Scenario("writes racing shutdown(): the receiver gets an exact prefix", 30,
                        run -> race(run, false)),
                new Scenario("writes racing close(): the receiver gets an exact prefix", 30,
                        run -> race(run, true)),
                new Scenario("echo of the read view while other connections close with writes"
                        + " queued (2 loops)", 90, ByteExactStressTest::churn),
                new Scenario("echo of the read view, LoopSpread.ACCEPTOR_HANDS_OFF on 2 loops",
                        45, run -> spread(run, LoopSpread.ACCEPTOR_HANDS_OFF)),
                new Scenario("echo of the read view, LoopSpread.LISTENER_PER_LOOP on 2 loops",
                        45, run -> spread(run, LoopSpread.LISTENER_PER_LOOP)),
                new Scenario("proxy: the read view written to a connection on another loop", 45,
                        ByteExactStressTest::proxy),
                new Scenario("echo past a 256 KiB write queue limit: the peer gets an exact"
                        + " prefix", 0, ByteExactStressTest::writeQueueLimit),
                new Scenario("C client (not uvtcp): 10 connections pumping 64 KiB writes to the"
                        + " README echo", 90, run -> cClient(run, 0, 0)),
                new Scenario("C client: idle connections, 100 ping-pong connections reset with"
                        + " writes queued, then 10 pumping (the outside benchmark)", 60,
                        run -> cClient(run, IDLE, 100)));
    }

    private static Scenario echo(String what, Relay.Path relay, PatternSender.Path client,
            int conns, Setup setup, int weight) {
        return new Scenario("echo of " + what + "; client: " + client + "; " + setup, weight,
                run -> echo(run, relay, client, conns, setup));
    }

    private static Scenario oneWay(Direction direction, PatternSender.Path path, int conns,
            Setup setup, int weight) {
        String who = direction == Direction.CLIENT_TO_SERVER ? "client to server" : "server to"
                + " client";
        return new Scenario(who + ": " + path + "; " + setup, weight,
                run -> oneWay(run, direction, path, conns, setup));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void theReceiverGetsExactlyTheBytesWrittenThroughEveryWritePath(Scenario scenario)
            throws Exception {
        try (Run run = new Run(scenario, budgetOf(scenario))) {
            scenario.body().run(run);
            run.report();
        }
        PASSED.incrementAndGet();
    }

    @AfterAll
    static void totals() {
        long seconds = Math.max(1, NANOS.get() / 1_000_000_000L);
        Figures.report("ByteExactStressTest: %d of %d scenarios passed; %,d bytes (%.2f GiB)"
                + " checked end to end, %,d more checked on the way (echo servers), in %d s of"
                + " scenarios (-Dstress.bytes=%d)", PASSED.get(), scenarios().size(),
                CHECKED.get(), CHECKED.get() / (double) (1L << 30), CHECKED_ON_THE_WAY.get(),
                seconds, TOTAL);
        if (PASSED.get() == allScenarios().size()) {
            assertThat(CHECKED.get()).as("bytes checked end to end over all scenarios")
                    .isGreaterThanOrEqualTo(TOTAL);
        }
    }

    private static long budgetOf(Scenario scenario) {
        if (scenario.weight() == 0) {
            return LIMIT_SCENARIO_BYTES;
        }
        int weights = allScenarios().stream().mapToInt(Scenario::weight).sum();
        // Rounded up, and a little more: shares are split over connections (rounded down).
        return TOTAL / weights * scenario.weight() + (1 << 20);
    }

    // ---- echo: client -> server relay -> client, both ends checked ----

    static void echo(Run run, Relay.Path relayPath, PatternSender.Path clientPath, int conns,
            Setup setup) throws Exception {
        StandaloneTcpService service = run.service(setup.loops());
        run.burnerIf(setup.burner());
        String path = relayPath.description + "; the client writes " + clientPath.description;
        Tcp server = listen(run, service, setup.small(), null,
                conn -> run.guard(conn, () -> {
                    int port = conn.remoteAddress().getPort();
                    StreamChecker hop = run.checker("server side of port " + port,
                            "the client writes " + clientPath.description,
                            BytePattern.seedFor(run.salt, port), false);
                    conn.startReading(run.relay(new Relay(relayPath, null, hop, false)));
                }));
        List<EchoClient> clients = new ArrayList<>();
        for (int i = 0; i < conns; i++) {
            clients.add(echoClient(run, service, server.localAddress(), "c" + i, clientPath,
                    run.budget / conns, setup.small(), path));
        }
        for (EchoClient client : clients) {
            client.verify(run);
        }
    }

    /** A uvtcp client that writes a stream to an echo server and checks what comes back. */
    record EchoClient(Tcp tcp, StreamChecker checker, PatternSender sender) {
        void verify(Run run) {
            run.await(checker.ended, "EOF after the echo on " + checker.connection);
            run.await(sender.settled, "every write of " + checker.connection + " completed");
            assertExact(checker, sender);
        }
    }

    static EchoClient echoClient(Run run, TcpService service, InetSocketAddress address,
            String name, PatternSender.Path sendPath, long total, boolean small, String path)
            throws Exception {
        Tcp tcp = connect(run, service, address, small);
        int port = tcp.localAddress().getPort();
        long seed = BytePattern.seedFor(run.salt, port);
        StreamChecker checker = run.checker(name + " (port " + port + ")", path, seed, true);
        Window window = new Window(ECHO_WINDOW);
        PatternSender sender = run.sender(new PatternSender(tcp, seed, total, sendPath, window,
                false, false, false));
        tcp.startReading(new ReadHandler() {
            @Override
            public void onRead(Stream stream, ByteBuffer data) {
                if (checker.accept(data)) {
                    long at = checker.position();
                    window.ackTotal(at);
                    if (at == total) {
                        stream.shutdown(); // all echoed: the server sees EOF and closes
                    }
                }
            }

            @Override
            public void onEnd(Stream stream) {
                checker.end(null);
                stream.close();
            }

            @Override
            public void onError(Stream stream, UvException error) {
                checker.end(error);
                stream.close();
            }
        });
        run.start(sender);
        return new EchoClient(tcp, checker, sender);
    }

    static void assertExact(StreamChecker checker, PatternSender sender) {
        assertThat(sender.failedWrites()).as("failed writes of %s: %s (%s)", checker.connection,
                sender.firstFailure(), sender).isZero();
        assertThat(sender.sent()).as("bytes written on %s", checker.connection)
                .isEqualTo(sender.total);
        assertThat(checker.position()).as("bytes received on %s, write path %s",
                checker.connection, checker.path).isEqualTo(sender.sent());
        assertThat(checker.crc()).as("CRC-32C received vs written on %s", checker.connection)
                .isEqualTo(sender.crc());
    }

    // ---- one way: a stream from client to server or from server to client ----

    static void oneWay(Run run, Direction direction, PatternSender.Path path, int conns,
            Setup setup) throws Exception {
        StandaloneTcpService service = run.service(setup.loops());
        run.burnerIf(setup.burner());
        long perConn = run.budget / conns;
        String pathText = (direction == Direction.CLIENT_TO_SERVER ? "the client" : "the server")
                + " writes " + path.description;
        Map<Integer, CompletableFuture<StreamChecker>> serverCheckers = new ConcurrentHashMap<>();
        Map<Integer, CompletableFuture<PatternSender>> serverSenders = new ConcurrentHashMap<>();
        Tcp server = listen(run, service, setup.small(), null,
                conn -> run.guard(conn, () -> {
                    int port = conn.remoteAddress().getPort();
                    long seed = BytePattern.seedFor(run.salt, port);
                    if (direction == Direction.CLIENT_TO_SERVER) {
                        StreamChecker checker = run.checker("server side of port " + port,
                                pathText, seed, true);
                        conn.startReading(sink(checker));
                        future(serverCheckers, port).complete(checker);
                    } else {
                        PatternSender sender = run.sender(new PatternSender(conn, seed, perConn,
                                path, new Window(SEND_WINDOW), true, true, false));
                        future(serverSenders, port).complete(sender);
                        run.start(sender);
                    }
                }));
        List<Runnable> verifications = new ArrayList<>();
        for (int i = 0; i < conns; i++) {
            Tcp client = connect(run, service, server.localAddress(), setup.small());
            int port = client.localAddress().getPort();
            long seed = BytePattern.seedFor(run.salt, port);
            if (direction == Direction.CLIENT_TO_SERVER) {
                PatternSender sender = run.sender(new PatternSender(client, seed, perConn, path,
                        new Window(SEND_WINDOW), true, true, false));
                run.start(sender);
                verifications.add(() -> {
                    StreamChecker checker = run.await(future(serverCheckers, port), "accept");
                    run.await(checker.ended, "EOF on " + checker.connection);
                    run.await(sender.settled, "every write to " + checker.connection);
                    assertExact(checker, sender);
                });
            } else {
                StreamChecker checker = run.checker("c" + i + " (port " + port + ")", pathText,
                        seed, true);
                client.startReading(sink(checker));
                verifications.add(() -> {
                    PatternSender sender = run.await(future(serverSenders, port), "accept");
                    run.await(checker.ended, "EOF on " + checker.connection);
                    run.await(sender.settled, "every write to " + checker.connection);
                    assertExact(checker, sender);
                });
            }
        }
        verifications.forEach(Runnable::run);
    }

    /** Checks what it reads; ends the checker and closes on EOF or error. */
    static ReadHandler sink(StreamChecker checker) {
        return new ReadHandler() {
            @Override
            public void onRead(Stream stream, ByteBuffer data) {
                checker.accept(data);
            }

            @Override
            public void onEnd(Stream stream) {
                checker.end(null);
                stream.close();
            }

            @Override
            public void onError(Stream stream, UvException error) {
                checker.end(error);
                stream.close();
            }
        };
    }

    /** {@link #sink} with the checker made when the first bytes or the end arrive. */
    static ReadHandler lazySink(java.util.function.Supplier<StreamChecker> make) {
        return new ReadHandler() {
            private StreamChecker checker;

            private StreamChecker checker() {
                if (checker == null) {
                    checker = make.get();
                }
                return checker;
            }

            @Override
            public void onRead(Stream stream, ByteBuffer data) {
                checker().accept(data);
            }

            @Override
            public void onEnd(Stream stream) {
                checker().end(null);
                stream.close();
            }

            @Override
            public void onError(Stream stream, UvException error) {
                checker().end(error);
                stream.close();
            }
        };
    }

    // ---- writes racing shutdown() or close() ----

    /**
     * Round after round, a new connection gets a stream of up to 4 MiB written through one of
     * the paths, while the test thread (or the loop) shuts it down or closes it at a random
     * point. Whatever was cut, the receiver must get an exact prefix: every byte right, at
     * least every write that succeeded before the first failure, at most up to the end of the
     * first failed write.
     */
    static void race(Run run, boolean close) throws Exception {
        StandaloneTcpService service = run.service(2);
        String cut = close ? "close()" : "shutdown()";
        Map<Integer, CompletableFuture<StreamChecker>> sinks = new ConcurrentHashMap<>();
        Tcp server = listen(run, service, true, null, conn -> run.guard(conn, () -> {
            int port = conn.remoteAddress().getPort();
            // Made at the first read or the end: the test has named the path by then.
            conn.startReading(lazySink(() -> {
                StreamChecker checker = run.checker("server side of port " + port,
                        "writes racing " + cut + " (" + run.racePaths.get(port) + ")",
                        BytePattern.seedFor(run.salt, port), true);
                future(sinks, port).complete(checker);
                return checker;
            }));
        }));
        PatternSender.Path[] paths = {PatternSender.Path.THREAD_HEAP,
            PatternSender.Path.LOOP_DIRECT, PatternSender.Path.THREAD_DIRECT,
            PatternSender.Path.LOOP_WRITEV, PatternSender.Path.THREAD_WRITEV,
            PatternSender.Path.LOOP_TRY_WRITE, PatternSender.Path.HAND_OFF_EXECUTE,
            PatternSender.Path.LOOP_HEAP, PatternSender.Path.THREAD_TRY_WRITE};
        SplittableRandom random = new SplittableRandom(run.salt);
        long checked = 0;
        int rounds = 0;
        int cutShort = 0;
        int fromLoop = 0;
        long failedWrites = 0;
        while (checked < run.budget) {
            run.checkDeadline("round " + rounds + " of " + cut + " racing writes");
            PatternSender.Path path = paths[rounds % paths.length];
            Tcp client = connect(run, service, server.localAddress(), true);
            int port = client.localAddress().getPort();
            run.racePaths.put(port, path.description);
            long seed = BytePattern.seedFor(run.salt, port);
            long max = 64 * 1024 + random.nextLong(4L << 20);
            // A small window and 4 KiB buffers: the writer is still writing when it is cut.
            PatternSender sender = run.sender(new PatternSender(client, seed, max, path,
                    new Window(RACE_WINDOW), true, false, true));
            long cutAt = random.nextLong(max);
            Thread writer = run.start(sender);
            while (sender.sent() < cutAt && !sender.settled.isDone()) {
                run.checkDeadline("round " + rounds + ": " + sender);
                LockSupport.parkNanos(20_000);
            }
            boolean onLoop = random.nextBoolean();
            if (onLoop) {
                fromLoop++;
                client.loop().execute(close ? client::close : client::shutdown);
            } else if (close) {
                client.close();
            } else {
                client.shutdown();
            }
            StreamChecker checker = run.await(future(sinks, port), "accept of round " + rounds);
            run.await(checker.ended, "EOF on " + checker.connection + " after " + cut);
            sender.stop();
            if (writer != null) {
                writer.join(NANOSECONDS.toMillis(Math.max(1, run.deadline - System.nanoTime())));
            }
            run.await(sender.settled, "every write of round " + rounds + " ended");
            long received = checker.position();
            assertThat(received).as("round %d (%s, cut by %s at %d): the receiver got at least"
                    + " every write that succeeded before the first failure; %s", rounds, path,
                    cut, cutAt, sender).isGreaterThanOrEqualTo(sender.okPrefix());
            assertThat(received).as("round %d (%s, cut by %s at %d): the receiver got nothing"
                    + " beyond the first failed write; %s", rounds, path, cut, cutAt, sender)
                    .isLessThanOrEqualTo(sender.possibleEnd());
            assertThat(checker.crc()).as("CRC-32C of the prefix received in round %d", rounds)
                    .isEqualTo(BytePattern.crcOfPrefix(seed, received));
            if (received < sender.sent()) {
                cutShort++;
            }
            failedWrites += sender.failedWrites();
            client.close();
            run.senders.remove(sender); // done: its buffers may go
            // A later round may get the same local port (and so the same seed).
            sinks.remove(port);
            run.racePaths.remove(port);
            checked += received;
            rounds++;
        }
        run.note("%d rounds (%d cut from the loop thread), %d streams cut short of what was"
                + " written, %d writes failed by the cut", rounds, fromLoop, cutShort,
                failedWrites);
        assertThat(failedWrites).as("writes that failed because of the cut: the race happened")
                .isPositive();
    }

    // ---- churn: pumping while other connections close with writes queued ----

    /**
     * The README's echo serves 4 checked streams while a thread keeps opening plain-socket
     * connections to a second echo listener on the same loop (4 KiB socket buffers) that
     * ping-pong, then write 1 MiB without reading (the echo queues in libuv, the part not
     * sent at once copied into pooled chunks) and are closed, half with a reset, half with
     * EOF, on which the echo closes at once: native write requests and pooled chunks of
     * cancelled writes are recycled into the checked streams.
     */
    static void churn(Run run) throws Exception {
        StandaloneTcpService service = run.service(2);
        Tcp server = service.listen(TestSupport.loopback(0), ListenOptions.defaults(),
                conn -> run.guard(conn, () -> conn.startReading(
                        run.relay(new Relay(Relay.Path.READ_VIEW, null, null, false)))));
        InetSocketAddress address = server.localAddress();
        // The churned connections on the same loop (its native write requests) and service
        // (its pool), with 4 KiB buffers: their echo queues at once.
        List<Relay> churnRelays = new CopyOnWriteArrayList<>();
        Tcp churnServer = listen(run, service, true, server.loop(), conn -> run.guard(conn, () -> {
            Relay relay = new Relay(Relay.Path.READ_VIEW, null, null, false);
            churnRelays.add(relay);
            conn.startReading(relay);
        }));
        InetSocketAddress churnAddress = churnServer.localAddress();
        String path = Relay.Path.READ_VIEW.description + ", beside connections closed with"
                + " writes queued";
        AtomicLong churned = new AtomicLong();
        AtomicReference<Boolean> pumping = new AtomicReference<>(true);
        Thread churner = run.thread("churner", () -> {
            byte[] ping = new byte[64];
            byte[] blast = new byte[1 << 20];
            Arrays.fill(blast, (byte) 'b');
            while (pumping.get() && !run.stopping && churned.get() < 1_000_000) {
                List<Socket> batch = new ArrayList<>();
                try {
                    for (int j = 0; j < 8; j++) {
                        Socket s = new Socket();
                        batch.add(s);
                        s.setReceiveBufferSize(SMALL_BUFFER);
                        s.connect(churnAddress, 10_000);
                        s.setSoTimeout(10_000);
                        s.setTcpNoDelay(true);
                    }
                    for (int round = 0; round < 3; round++) {
                        for (Socket s : batch) {
                            Arrays.fill(ping, (byte) round);
                            s.getOutputStream().write(ping);
                        }
                        for (Socket s : batch) {
                            byte[] pong = s.getInputStream().readNBytes(ping.length);
                            assertThat(pong).as("a churn connection's ping-pong").isEqualTo(ping);
                        }
                    }
                    for (Socket s : batch) {
                        s.getOutputStream().write(blast);
                    }
                    for (int j = 0; j < batch.size(); j++) {
                        Socket s = batch.get(j);
                        if (j % 2 == 0) {
                            s.setSoLinger(true, 0); // reset
                        } else {
                            s.shutdownOutput(); // EOF: the echo closes with writes queued
                        }
                    }
                } finally {
                    for (Socket s : batch) {
                        s.close();
                    }
                }
                churned.addAndGet(batch.size());
            }
        });
        while (churned.get() < 16) {
            run.checkDeadline("the first churned connections");
            LockSupport.parkNanos(1_000_000);
        }
        long churnedBefore = churned.get();
        List<EchoClient> pumps = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                pumps.add(echoClient(run, service, address, "c" + i, i % 2 == 0
                        ? PatternSender.Path.LOOP_DIRECT : PatternSender.Path.LOOP_HEAP,
                        run.budget / 4, false, path));
            }
            for (EchoClient pump : pumps) {
                pump.verify(run);
            }
        } finally {
            pumping.set(false);
        }
        long churnedDuring = churned.get() - churnedBefore;
        churner.join(SECONDS.toMillis(30));
        long cancelled = churnRelays.stream().mapToLong(r -> r.tally.failedWrites()).sum();
        run.note("%,d connections churned (%,d while the checked streams pumped), %,d of their"
                + " echo writes failed when they were closed with writes queued", churned.get(),
                churnedDuring, cancelled);
        assertThat(churned.get()).as("connections opened and closed while pumping").isPositive();
        assertThat(cancelled).as("echo writes still queued when their connection closed")
                .isPositive();
    }

    // ---- loop spreads ----

    static void spread(Run run, LoopSpread spread) throws Exception {
        StandaloneTcpService service = run.service(2);
        Set<String> serverLoops = ConcurrentHashMap.newKeySet();
        Tcp server = service.listen(TestSupport.loopback(0),
                ListenOptions.defaults().withLoopSpread(spread), conn -> run.guard(conn, () -> {
                    serverLoops.add(conn.loop().name());
                    int port = conn.remoteAddress().getPort();
                    StreamChecker hop = run.checker("server side of port " + port,
                            "the client writes direct or heap buffers on the loop thread; "
                                    + spread, BytePattern.seedFor(run.salt, port), false);
                    conn.startReading(run.relay(new Relay(Relay.Path.READ_VIEW, null, hop,
                            false)));
                }));
        String path = Relay.Path.READ_VIEW.description + " on a server with " + spread;
        List<EchoClient> clients = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            clients.add(echoClient(run, service, server.localAddress(), "c" + i,
                    i % 2 == 0 ? PatternSender.Path.LOOP_DIRECT : PatternSender.Path.LOOP_HEAP,
                    run.budget / 8, false, path));
        }
        for (EchoClient client : clients) {
            client.verify(run);
        }
        run.note("server connections on %s", new java.util.TreeSet<>(serverLoops));
        if (spread == LoopSpread.ACCEPTOR_HANDS_OFF) {
            assertThat(serverLoops).as("loops the acceptor handed connections to").hasSize(2);
        }
    }

    // ---- a proxy across loops ----

    /**
     * client -> proxy (reads on loop A) -> upstream connection on loop B -> sink (checks). The
     * proxy writes the read view it is given to the upstream connection, as the README says a
     * read handler may; it stops reading while more than 1 MiB waits for the upstream.
     */
    static void proxy(Run run) throws Exception {
        StandaloneTcpService service = run.service(2);
        Map<Integer, Integer> clientPortByUpstreamPort = new ConcurrentHashMap<>();
        Map<Integer, CompletableFuture<StreamChecker>> sinks = new ConcurrentHashMap<>();
        String path = Relay.Path.PROXY_READ_VIEW.description;
        Tcp sink = service.listen(TestSupport.loopback(0), ListenOptions.defaults(),
                conn -> run.guard(conn, () -> {
                    int upstreamPort = conn.remoteAddress().getPort();
                    conn.startReading(new ReadHandler() {
                        private StreamChecker checker;

                        @Override
                        public void onRead(Stream stream, ByteBuffer data) {
                            if (checker == null) {
                                Integer clientPort = clientPortByUpstreamPort.get(upstreamPort);
                                if (clientPort == null) {
                                    run.fail(new AssertionError("bytes from upstream port "
                                            + upstreamPort + ", which no client was given"));
                                    stream.close();
                                    return;
                                }
                                checker = run.checker("sink side of client port " + clientPort,
                                        path, BytePattern.seedFor(run.salt, clientPort), true);
                                future(sinks, clientPort).complete(checker);
                            }
                            checker.accept(data);
                        }

                        @Override
                        public void onEnd(Stream stream) {
                            if (checker != null) {
                                checker.end(null);
                            }
                            stream.close();
                        }

                        @Override
                        public void onError(Stream stream, UvException error) {
                            if (checker != null) {
                                checker.end(error);
                            }
                            stream.close();
                        }
                    });
                }));
        InetSocketAddress sinkAddress = sink.localAddress();
        // The proxy's listener, and so its accepted connections, on the other loop.
        Tcp proxy = null;
        for (int i = 0; i < 4 && proxy == null; i++) {
            Tcp candidate = service.newTcp();
            if (candidate.loop() == sink.loop()) {
                candidate.close();
            } else {
                proxy = candidate;
            }
        }
        assertThat(proxy).as("a handle on the other loop").isNotNull();
        int conns = 4;
        BlockingQueue<int[]> upstreamPorts = new LinkedBlockingQueue<>();
        Map<Integer, Tcp> upstreams = new ConcurrentHashMap<>();
        for (int made = 0; upstreams.size() < conns && made < conns * 4; made++) {
            Tcp up = run.await(service.connect(sinkAddress), "connect upstream");
            if (up.loop() == proxy.loop()) {
                up.close();
                continue;
            }
            int port = up.localAddress().getPort();
            upstreams.put(port, up);
            upstreamPorts.add(new int[] {port});
        }
        assertThat(upstreams).as("upstream connections on the sink's loop").hasSize(conns);
        Tcp proxyListener = proxy;
        proxyListener.bind(TestSupport.loopback(0));
        proxyListener.listen(128, (listener, error) -> {
            if (error != null) {
                run.fail(error);
                return;
            }
            try {
                Tcp conn = (Tcp) listener.accept();
                int[] upPort = upstreamPorts.poll();
                if (upPort == null) {
                    run.fail(new AssertionError("more proxy connections than upstreams"));
                    conn.close();
                    return;
                }
                clientPortByUpstreamPort.put(upPort[0], conn.remoteAddress().getPort());
                conn.startReading(run.relay(new Relay(Relay.Path.PROXY_READ_VIEW,
                        upstreams.get(upPort[0]), null, true)));
            } catch (UvException | RuntimeException e) {
                run.fail(e);
            }
        });
        List<Runnable> verifications = new ArrayList<>();
        for (int i = 0; i < conns; i++) {
            Tcp client = run.await(service.connect(proxyListener.localAddress()),
                    "connect to the proxy");
            int port = client.localAddress().getPort();
            PatternSender sender = run.sender(new PatternSender(client,
                    BytePattern.seedFor(run.salt, port), run.budget / conns,
                    i % 2 == 0 ? PatternSender.Path.LOOP_DIRECT : PatternSender.Path.LOOP_HEAP,
                    new Window(SEND_WINDOW), true, true, false));
            run.start(sender);
            verifications.add(() -> {
                StreamChecker checker = run.await(future(sinks, port), "first bytes at the sink");
                run.await(checker.ended, "EOF on " + checker.connection);
                run.await(sender.settled, "every write to the proxy");
                assertExact(checker, sender);
            });
        }
        verifications.forEach(Runnable::run);
    }

    // ---- the write queue limit ----

    /**
     * The README's echo on a server whose connections may queue 256 KiB (4 KiB socket
     * buffers on both sides). The client writes 1 MiB and does not read: the echo's queue
     * grows until the stream stops reading at half its limit (or, were that missing, writes
     * would be refused with ENOBUFS, which the echo ignores, as the README's does). Then the
     * client reads while it writes the rest (8 MiB in all). The client must get an exact
     * prefix of its stream (no gap): exactly the bytes of the echo writes that succeeded; and
     * with the read pause no echo write is refused, so that prefix is the whole stream.
     */
    static void writeQueueLimit(Run run) throws Exception {
        StandaloneTcpService service = run.service(1);
        AtomicReference<Relay> relay = new AtomicReference<>();
        Tcp server = listen(run, service, true, null, conn -> run.guard(conn, () -> {
            conn.setMaxWriteQueueSize(QUEUE_LIMIT);
            relay.set(run.relay(new Relay(Relay.Path.READ_VIEW, null, null, true)));
            conn.startReading(relay.get());
        }));
        Tcp client = connect(run, service, server.localAddress(), true);
        int port = client.localAddress().getPort();
        long seed = BytePattern.seedFor(run.salt, port);
        StreamChecker checker = run.checker("c0 (port " + port + ")", "echo of the read view"
                + " with a 256 KiB write queue limit, writes refused (ENOBUFS) while the client"
                + " did not read, then the client reading", seed, true);
        // Acknowledged by this test only: 1 MiB first, everything once the client reads.
        Window window = new Window(1L << 20);
        PatternSender sender = run.sender(new PatternSender(client, seed, run.budget,
                PatternSender.Path.LOOP_DIRECT, window, false, true, false));
        run.start(sender);
        // Until the echo refused a write, or the client filled its 1 MiB window and sent
        // nothing more for 200 ms (the echo stopped reading).
        long stalledSince = 0;
        long lastSent = -1;
        while (relay.get() == null || relay.get().tally.failedWrites() == 0) {
            run.checkDeadline("the echo's first refused write or a stalled client; " + sender
                    + ", " + relay.get());
            long sentNow = sender.sent();
            if (sentNow != lastSent) {
                lastSent = sentNow;
                stalledSince = System.nanoTime();
            } else if (System.nanoTime() - stalledSince > 200_000_000L) {
                break;
            }
            LockSupport.parkNanos(100_000);
        }
        client.startReading(sink(checker));
        window.ackTotal(Long.MAX_VALUE / 2);
        run.await(sender.settled, "every write of the client");
        run.await(checker.ended, "EOF after the echo");
        Relay echo = relay.get();
        run.note("echo: %s", echo);
        assertThat(echo.tally.failedWrites()).as("echo writes refused: reading paused first; %s",
                echo).isZero();
        assertThat(checker.position()).as("bytes the client received: exactly those of the echo"
                + " writes that succeeded; %s", echo).isEqualTo(echo.tally.okBytes());
        assertThat(checker.crc()).isEqualTo(BytePattern.crcOfPrefix(seed, checker.position()));
    }

    // ---- a client that is not uvtcp ----

    /**
     * The README's echo (1 loop) and {@code byte_exact_client}: {@code idle} idle connections,
     * {@code pingpong} ping-pong connections reset with writes queued, then 10 connections
     * pumping 64 KiB writes (at most 512 KiB unechoed each), every byte checked by the client.
     */
    static void cClient(Run run, int idle, int pingpong) throws Exception {
        Path binary = cClientBinary();
        StandaloneTcpService service = run.service(1);
        Tcp server = service.listen(TestSupport.loopback(0), ListenOptions.defaults(),
                conn -> run.guard(conn, () -> conn.startReading(
                        run.relay(new Relay(Relay.Path.READ_VIEW, null, null, false)))));
        int conns = 10;
        long perConn = run.budget / conns;
        long seconds = Math.max(10, NANOSECONDS.toSeconds(run.deadline - System.nanoTime()));
        List<String> command = List.of(binary.toString(),
                "--port=" + server.localAddress().getPort(), "--salt=" + run.salt,
                "--conns=" + conns, "--bytes=" + perConn, "--write-size=65536",
                "--window=524288", "--idle=" + idle, "--pingpong=" + pingpong,
                "--pp-rounds=20", "--pp-blast=262144", "--seconds=" + seconds);
        Process process = run.process(new ProcessBuilder(command).redirectErrorStream(true));
        CompletableFuture<String> output = new CompletableFuture<>();
        run.thread("c-client-output", () -> {
            try (InputStream in = process.getInputStream()) {
                output.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        });
        String out = run.await(output, "the C client's output (pid " + process.pid() + ")");
        assertThat(process.waitFor(10, SECONDS)).as("the C client ended").isTrue();
        assertThat(out).as("the C client (%s)", String.join(" ", command))
                .doesNotContain("MISMATCH").doesNotContain("ERROR").contains("RESULT ok");
        assertThat(process.exitValue()).as("exit status; output:%n%s", out).isZero();
        long received = 0;
        int seen = 0;
        for (String line : out.split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length == 10 && f[0].equals("conn")) {
                int port = Integer.parseInt(f[3]);
                long got = Long.parseLong(f[7]);
                assertThat(got).as("bytes echoed to C connection %s", f[1]).isEqualTo(perConn);
                assertThat(Long.parseLong(f[9], 16)).as("CRC-32C of C connection %s", f[1])
                        .isEqualTo(BytePattern.crcOfPrefix(BytePattern.seedFor(run.salt, port),
                                got));
                received += got;
                seen++;
            }
        }
        assertThat(seen).as("connections reported by the C client").isEqualTo(conns);
        run.checkedByOthers.addAndGet(received);
        long cancelled = run.relays.stream().mapToLong(r -> r.tally.failedWrites()).sum();
        run.note("C client pid %d: %d idle, %d ping-pong reset (%d echo writes failed on"
                + " close), %d pumping", process.pid(), idle, pingpong, cancelled, conns);
    }

    private static synchronized Path cClientBinary() throws Exception {
        if (clientBinary == null) {
            // Beside this module's test classes (target/test-classes), wherever the test JVM
            // runs: native-emulated-test runs these classes from its own directory.
            Path testClasses = Path.of(ByteExactStressTest.class.getProtectionDomain()
                    .getCodeSource().getLocation().toURI());
            Path source = testClasses.resolve("../../src/test/c/byte_exact_client.c")
                    .normalize();
            Path binary = Path.of("target/byte-exact-client/byte_exact_client").toAbsolutePath();
            Files.createDirectories(binary.getParent());
            Process gcc = new ProcessBuilder("gcc", "-std=c11", "-O2", "-Wall", "-Wextra",
                    "-Werror", "-o", binary.toString(), source.toString())
                    .redirectErrorStream(true).start();
            try {
                String log = new String(gcc.getInputStream().readAllBytes(),
                        StandardCharsets.UTF_8);
                assertThat(gcc.waitFor(60, SECONDS)).as("gcc ends").isTrue();
                assertThat(gcc.exitValue()).as("gcc %s:%n%s", source, log).isZero();
            } finally {
                gcc.destroyForcibly();
            }
            clientBinary = binary;
        }
        return clientBinary;
    }

    // ---- helpers ----

    /**
     * A server on 127.0.0.1: {@code TcpService.listen} with {@code options} (defaults if null),
     * or, with small buffers, a listener whose 4 KiB buffers its connections inherit, on
     * {@code loop} if given. Buffers are made small before the handshake: shrunk afterwards,
     * below the window already advertised, Linux TCP crawls on zero-window probes.
     */
    static Tcp listen(Run run, StandaloneTcpService service, boolean small, dev.uvtcp.Loop loop,
            dev.uvtcp.ConnectionHandler handler) throws Exception {
        return listen(run, service, small, loop, null, handler);
    }

    static Tcp listen(Run run, StandaloneTcpService service, boolean small, dev.uvtcp.Loop loop,
            ListenOptions options, dev.uvtcp.ConnectionHandler handler) throws Exception {
        if (!small && loop == null) {
            return service.listen(TestSupport.loopback(0),
                    options != null ? options : ListenOptions.defaults(), handler);
        }
        Tcp listener = newTcpOn(service, loop);
        if (small) {
            smallBuffers(listener);
        }
        listener.bind(TestSupport.loopback(0));
        listener.listen(1024, (server, error) -> {
            if (error != null) {
                run.fail(error);
                return;
            }
            try {
                handler.onConnection((Tcp) server.accept());
            } catch (Exception e) {
                run.fail(e);
            }
        });
        return listener;
    }

    /** A new IPv4 handle on {@code loop} (any loop if null). */
    static Tcp newTcpOn(StandaloneTcpService service, dev.uvtcp.Loop loop) throws UvException {
        for (int i = 0; i < 8; i++) {
            Tcp tcp = service.newTcp(java.net.StandardProtocolFamily.INET);
            if (loop == null || tcp.loop() == loop) {
                return tcp;
            }
            tcp.close();
        }
        throw new AssertionError("no handle placed on " + loop);
    }

    /** A connected client; with small buffers, set before the handshake. */
    static Tcp connect(Run run, TcpService service, InetSocketAddress address, boolean small)
            throws Exception {
        if (!small) {
            return run.await(service.connect(address), "connect to " + address);
        }
        Tcp tcp = service.newTcp(java.net.StandardProtocolFamily.INET);
        smallBuffers(tcp);
        run.await(tcp.connect(address), "connect to " + address);
        return tcp;
    }

    static void smallBuffers(Tcp tcp) throws UvException {
        tcp.setSendBufferSize(SMALL_BUFFER);
        tcp.setReceiveBufferSize(SMALL_BUFFER);
    }

    static <K, V> CompletableFuture<V> future(Map<K, CompletableFuture<V>> map, K key) {
        return map.computeIfAbsent(key, k -> new CompletableFuture<>());
    }

    static long parseBytes(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        char last = t.charAt(t.length() - 1);
        if (last == 'k' || last == 'm' || last == 'g') {
            unit = last == 'k' ? 1L << 10 : last == 'm' ? 1L << 20 : 1L << 30;
            t = t.substring(0, t.length() - 1);
        }
        return Long.parseLong(t) * unit;
    }

    /**
     * One scenario's resources and bookkeeping: its services, threads and processes (all
     * stopped on {@link #close()}, processes by PID), its checkers, senders and relays, the
     * first failure (which ends the scenario at once) and its deadline.
     */
    static final class Run implements AutoCloseable {
        final Scenario scenario;
        final long budget;
        final long salt;
        final long started = System.nanoTime();
        final long deadline;
        final List<StreamChecker> checkers = new CopyOnWriteArrayList<>();
        final List<StreamChecker> endToEnd = new CopyOnWriteArrayList<>();
        final List<PatternSender> senders = new CopyOnWriteArrayList<>();
        final List<Relay> relays = new CopyOnWriteArrayList<>();
        final Map<Integer, String> racePaths = new ConcurrentHashMap<>();
        final AtomicLong checkedByOthers = new AtomicLong();
        private final CompletableFuture<Void> failure = new CompletableFuture<>();
        private final List<StandaloneTcpService> services = new CopyOnWriteArrayList<>();
        private final List<Thread> threads = new CopyOnWriteArrayList<>();
        private final List<Process> processes = new CopyOnWriteArrayList<>();
        private final List<String> notes = new CopyOnWriteArrayList<>();
        volatile boolean stopping;

        Run(Scenario scenario, long budget) {
            this.scenario = scenario;
            this.budget = budget;
            this.salt = System.nanoTime() ^ scenario.name().hashCode();
            // Generous: a bound against hangs, not a speed requirement.
            this.deadline = started + SECONDS.toNanos(60) + budget / (1L << 20) * 500_000_000L;
        }

        StandaloneTcpService service(int loops) throws UvException {
            StandaloneTcpService service = StandaloneTcpService.start(new TcpServiceSettings(
                    loops, 64 * 1024, TestSupport.uniquePrefix("exact")));
            services.add(service);
            return service;
        }

        StreamChecker checker(String connection, String path, long seed, boolean final_) {
            StreamChecker checker = new StreamChecker(connection, path, seed, checkers,
                    this::fail);
            checkers.add(checker);
            if (final_) {
                endToEnd.add(checker);
            }
            return checker;
        }

        PatternSender sender(PatternSender sender) {
            senders.add(sender);
            if (stopping) {
                sender.stop();
            }
            return sender;
        }

        Relay relay(Relay relay) {
            relays.add(relay);
            return relay;
        }

        /** Starts a sender: on its loop, or on a new thread (returned). */
        Thread start(PatternSender sender) {
            if (sender.path.onLoop) {
                sender.startOnLoop();
                return null;
            }
            return thread("sender-" + sender.path, () -> sender.runOnThisThread(deadline,
                    () -> stopping));
        }

        interface Work {
            void run() throws Exception;
        }

        Thread thread(String name, Work work) {
            Thread thread = new Thread(() -> {
                try {
                    work.run();
                } catch (Throwable t) {
                    if (!stopping) {
                        fail(t);
                    }
                }
            }, scenario.name().substring(0, Math.min(20, scenario.name().length())) + " "
                    + name);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
            return thread;
        }

        void burnerIf(boolean burn) {
            if (!burn) {
                return;
            }
            thread("cpu-burner", () -> {
                long x = 1;
                while (!stopping && System.nanoTime() < deadline) {
                    for (int i = 0; i < 1_000_000; i++) {
                        x = x * 6364136223846793005L + 1442695040888963407L;
                    }
                }
                if (x == 42) {
                    System.out.print(""); // keeps the loop from being optimised away
                }
            });
        }

        Process process(ProcessBuilder builder) throws IOException {
            Process process = builder.start();
            processes.add(process);
            return process;
        }

        /** Runs work of a connection handler; a failure fails the scenario and closes conn. */
        void guard(Tcp conn, Work work) {
            try {
                work.run();
            } catch (Throwable t) {
                fail(t);
                conn.close();
            }
        }

        void fail(Throwable error) {
            if (failure.completeExceptionally(error)) {
                stopping = true;
                senders.forEach(PatternSender::stop);
            }
        }

        void note(String format, Object... args) {
            notes.add(String.format(format, args));
        }

        void checkDeadline(String what) {
            throwIfFailed();
            if (System.nanoTime() > deadline) {
                throw new AssertionError(scenario + ": no progress within the scenario's time ("
                        + what + ")\n" + describe());
            }
        }

        private void throwIfFailed() {
            if (failure.isCompletedExceptionally()) {
                Throwable cause = failure.handle((v, t) -> t).join();
                throw new AssertionError(scenario + ": " + cause.getMessage() + "\n" + describe(),
                        cause);
            }
        }

        /** Waits for {@code stage}, the scenario's first failure or its deadline. */
        <T> T await(CompletionStage<T> stage, String what) {
            CompletableFuture<T> future = stage.toCompletableFuture();
            try {
                CompletableFuture.anyOf(future, failure)
                        .get(Math.max(1, deadline - System.nanoTime()), NANOSECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError(scenario + ": " + what + ": not done within the"
                        + " scenario's time\n" + describe());
            } catch (ExecutionException e) {
                // the stage or the scenario failed: told below
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            throwIfFailed();
            if (future.isCompletedExceptionally()) {
                Throwable cause = future.handle((v, t) -> t).join();
                throw new AssertionError(scenario + ": " + what + " failed: " + cause + "\n"
                        + describe(), cause);
            }
            return future.join();
        }

        String describe() {
            StringBuilder text = new StringBuilder("  state:");
            for (PatternSender s : senders) {
                text.append("\n    ").append(s);
            }
            for (Relay r : relays.subList(0, Math.min(relays.size(), 20))) {
                text.append("\n    ").append(r);
            }
            for (StreamChecker c : checkers.subList(0, Math.min(checkers.size(), 40))) {
                text.append("\n    checker ").append(c.connection).append(": ")
                        .append(c.position()).append(" bytes checked")
                        .append(c.ended.isDone() ? ", ended" : "");
            }
            return text.toString();
        }

        void report() {
            long checked = endToEnd.stream().mapToLong(StreamChecker::position).sum()
                    + checkedByOthers.get();
            long onTheWay = checkers.stream().filter(c -> !endToEnd.contains(c))
                    .mapToLong(StreamChecker::position).sum();
            long nanos = System.nanoTime() - started;
            CHECKED.addAndGet(checked);
            CHECKED_ON_THE_WAY.addAndGet(onTheWay);
            NANOS.addAndGet(nanos);
            double seconds = nanos / 1e9;
            Figures.report("ByteExactStressTest: %s: %,d bytes checked end to end (%,d more on"
                    + " the way) in %.2f s, %.0f MiB/s%s", scenario, checked, onTheWay, seconds,
                    checked / (double) (1 << 20) / seconds,
                    notes.isEmpty() ? "" : "; " + String.join("; ", notes));
        }

        /** Stops everything the scenario started: processes (by PID), threads, services. */
        @Override
        public void close() {
            stopping = true;
            senders.forEach(PatternSender::stop);
            for (Process process : processes) {
                process.destroyForcibly();
                waitQuietly(() -> process.waitFor(10, SECONDS));
            }
            for (Thread thread : threads) {
                waitQuietly(() -> {
                    thread.join(5_000);
                    return true;
                });
            }
            for (StandaloneTcpService service : services) {
                service.close();
            }
            for (Thread thread : threads) {
                if (thread.isAlive()) {
                    thread.interrupt();
                    waitQuietly(() -> {
                        thread.join(5_000);
                        return true;
                    });
                }
                assertThat(thread.isAlive()).as("thread %s ended", thread.getName()).isFalse();
            }
        }

        private interface Wait {
            boolean run() throws InterruptedException;
        }

        /** Waits, bounded by the wait itself; an interrupt is kept for the caller. */
        private static void waitQuietly(Wait wait) {
            try {
                wait.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
