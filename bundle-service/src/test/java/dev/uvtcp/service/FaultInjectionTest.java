package dev.uvtcp.service;

import static dev.uvtcp.service.TestSupport.await;
import static dev.uvtcp.service.TestSupport.failureOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.uvtcp.Stream;
import dev.uvtcp.Tcp;
import dev.uvtcp.UvException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Faults a peer or the network can cause: resets in the middle of a large write, half-closes,
 * a peer that never reads, refused and unanswered connects, an overflowing backlog. All on
 * 127.0.0.1 only. Each test ends with the service owning no handle and the process back to
 * the descriptors it had.
 */
class FaultInjectionTest {

    private static final int MIB = 1024 * 1024;

    private StandaloneTcpService service;
    private long fdsBefore;

    @BeforeEach
    void start() throws Exception {
        service = TestSupport.startService("fault");
        fdsBefore = TestSupport.openFdCount();
    }

    @AfterEach
    void stop() {
        for (var h : service.handles()) {
            h.close();
        }
        assertThat(TestSupport.eventually(() -> service.handles().isEmpty()))
                .as("handles left: %s", service.handles()).isTrue();
        service.close();
        assertThat(TestSupport.eventually(() -> TestSupport.openFdCount() <= fdsBefore))
                .as("descriptors back to %d, now %d", fdsBefore, TestSupport.openFdCount())
                .isTrue();
    }

    private static ByteBuffer bigDirect(int bytes) {
        ByteBuffer b = ByteBuffer.allocateDirect(bytes);
        for (int i = 0; i < bytes; i += 4096) {
            b.put(i, (byte) i);
        }
        return b;
    }

    // ---- resets ----

    @Test
    void plainPeerResettingDuringALargeWriteFailsTheWriteWithAUvException() throws Exception {
        try (ServerSocket server = TestSupport.plainServer()) {
            Tcp client = await(service.connect((InetSocketAddress) server.getLocalSocketAddress()));
            TestSupport.Collector reads = new TestSupport.Collector();
            client.startReading(reads);
            CompletableFuture<Void> write;
            try (Socket peer = TestSupport.acceptPlain(server)) {
                write = client.write(bigDirect(32 * MIB)).toCompletableFuture();
                TestSupport.readExactly(peer.getInputStream(), 256 * 1024);
                assertThat(write).as("32 MiB cannot be written while the peer reads 256 KiB")
                        .isNotDone();
                peer.setSoLinger(true, 0); // close() sends RST
            }
            Throwable error = failureOf(write);
            assertThat(error).isInstanceOf(UvException.class);
            assertThat(((UvException) error).errorName()).isIn("ECONNRESET", "EPIPE");
            assertReadEndedByReset(reads);
            // The handle is still usable for what is left: asking and closing.
            assertThat(client.isClosed()).isFalse();
            client.close();
            await(client.closeFuture());
        }
    }

    @Test
    void uvtcpPeerCloseResetDuringALargeWriteFailsTheWriteAndTheRead() throws Exception {
        CompletableFuture<Tcp> accepted = new CompletableFuture<>();
        Tcp server = service.listen("127.0.0.1", 0, 16, accepted::complete);
        Tcp client = await(service.connect(server.localAddress()));
        TestSupport.Collector clientReads = new TestSupport.Collector();
        client.startReading(clientReads);
        Tcp serverSide = await(accepted);
        TestSupport.Collector serverReads = new TestSupport.Collector();
        serverSide.startReading(serverReads);
        CompletableFuture<Void> write = client.write(bigDirect(64 * MIB)).toCompletableFuture();
        serverReads.takeAtLeast(64 * 1024);
        serverSide.closeReset();
        Throwable error = failureOf(write);
        assertThat(((UvException) error).errorName()).isIn("ECONNRESET", "EPIPE");
        assertReadEndedByReset(clientReads);
        await(serverSide.closeFuture());
        client.close();
        server.close();
    }

    @Test
    void resettingWhileThePlainPeerWritesALotGivesThePeerAnIoErrorAndUsNothingElse()
            throws Exception {
        CompletableFuture<Tcp> accepted = new CompletableFuture<>();
        Tcp server = service.listen("127.0.0.1", 0, 16, accepted::complete);
        try (Socket peer = TestSupport.plainClient(server.localAddress())) {
            Tcp serverSide = await(accepted);
            TestSupport.Collector reads = new TestSupport.Collector();
            serverSide.startReading(reads);
            OutputStream out = peer.getOutputStream();
            out.write(new byte[128 * 1024]);
            reads.take(128 * 1024);
            serverSide.closeReset();
            await(serverSide.closeFuture());
            assertThatThrownBy(() -> {
                for (int i = 0; i < 1000; i++) {
                    out.write(new byte[64 * 1024]);
                }
            }).isInstanceOf(java.io.IOException.class);
        }
        server.close();
    }

    /**
     * The kernel reports a reset once: to whichever of read and write asks first. So the read
     * ends with ECONNRESET, or, when the write took the error, with EOF.
     */
    private static void assertReadEndedByReset(TestSupport.Collector reads) throws Exception {
        try {
            reads.end.get(TestSupport.TIMEOUT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(UvException.class);
            assertThat(((UvException) e.getCause()).errorName()).isEqualTo("ECONNRESET");
        }
    }

    // ---- half-close ----

    @Test
    void clientShutdownStillLetsTheServerAnswerAndTheClientRead() throws Exception {
        CompletableFuture<Void> serverSawEnd = new CompletableFuture<>();
        Tcp server = service.listen("127.0.0.1", 0, 16, connection -> {
            try {
                connection.startReading(new dev.uvtcp.ReadHandler() {
                    final StringBuilder got = new StringBuilder();

                    @Override
                    public void onRead(Stream s, ByteBuffer data) {
                        got.append(java.nio.charset.StandardCharsets.UTF_8.decode(data));
                    }

                    @Override
                    public void onEnd(Stream s) {
                        serverSawEnd.complete(null);
                        assertThat(s.isReadable()).isFalse();
                        assertThat(s.isWritable()).isTrue();
                        s.write(TestSupport.ascii("answer to " + got));
                        s.shutdown().whenComplete((v, e) -> s.close());
                    }
                });
            } catch (UvException e) {
                connection.close();
            }
        });
        Tcp client = await(service.connect(server.localAddress()));
        TestSupport.Collector reads = new TestSupport.Collector();
        client.startReading(reads);
        await(client.write(TestSupport.ascii("question")));
        await(client.shutdown());
        assertThat(client.isWritable()).isFalse();
        assertThat(((UvException) failureOf(client.write(TestSupport.ascii("late"))))
                .errorName()).isEqualTo("EPIPE");
        await(serverSawEnd);
        assertThat(reads.takeString("answer to question".length()))
                .isEqualTo("answer to question");
        await(reads.end); // the server shut down after answering
        client.close();
        server.close();
    }

    @Test
    void serverShutdownStillLetsTheClientWriteAndTheServerRead() throws Exception {
        CompletableFuture<Tcp> accepted = new CompletableFuture<>();
        Tcp server = service.listen("127.0.0.1", 0, 16, accepted::complete);
        try (Socket peer = TestSupport.plainClient(server.localAddress())) {
            Tcp serverSide = await(accepted);
            TestSupport.Collector reads = new TestSupport.Collector();
            serverSide.startReading(reads);
            await(serverSide.write(TestSupport.ascii("bye")));
            await(serverSide.shutdown());
            InputStream in = peer.getInputStream();
            assertThat(TestSupport.string(TestSupport.readExactly(in, 3))).isEqualTo("bye");
            assertThat(in.read()).as("EOF after the server's shutdown").isEqualTo(-1);
            peer.getOutputStream().write("still here".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertThat(reads.takeString(10)).isEqualTo("still here");
            peer.shutdownOutput();
            await(reads.end);
            serverSide.close();
        }
        server.close();
    }

    // ---- a peer that never reads ----

    @Test
    void writesToAPeerThatNeverReadsAreRefusedWithEnobufsOnceTheLimitIsReached()
            throws Exception {
        long limit = 4L * MIB;
        try (ServerSocket server = new ServerSocket()) {
            server.setReceiveBufferSize(16 * 1024);
            server.bind(TestSupport.loopback(0), 16);
            Tcp client = await(service.connect((InetSocketAddress) server.getLocalSocketAddress()));
            try (Socket peer = TestSupport.acceptPlain(server)) {
                client.setSendBufferSize(16 * 1024);
                client.setMaxWriteQueueSize(limit);
                assertThat(client.maxWriteQueueSize()).isEqualTo(limit);
                List<CompletableFuture<Void>> accepted = new ArrayList<>();
                UvException refused = null;
                long offered = 0;
                for (int i = 0; i < 1000 && refused == null; i++) {
                    CompletableFuture<Void> w = client.write(ByteBuffer.allocate(64 * 1024))
                            .toCompletableFuture();
                    offered += 64 * 1024;
                    if (w.isCompletedExceptionally()) {
                        refused = (UvException) failureOf(w);
                    } else {
                        accepted.add(w);
                    }
                }
                assertThat(refused).as("a write was refused after %d bytes", offered).isNotNull();
                assertThat(refused.errorName()).isEqualTo("ENOBUFS");
                assertThat(refused.getMessage()).contains("write queue limit is " + limit);
                assertThat(client.writeQueueSize()).isLessThanOrEqualTo(limit);
                assertThat(offered).as("refused once the limit was near, not long after")
                        .isLessThanOrEqualTo(limit + 16L * MIB);
                assertThat(client.isClosed()).as("the stream stays open").isFalse();
                // Every later write is refused too: sending it would leave a gap in the stream.
                CompletableFuture<Void> later = client.write(TestSupport.ascii("more"))
                        .toCompletableFuture();
                assertThat(later).isCompletedExceptionally();
                assertThat(((UvException) failureOf(later)).errorName()).isEqualTo("ENOBUFS");
                assertThat(failureOf(later).getMessage()).contains("an earlier write was refused");
                assertThatThrownBy(() -> client.tryWrite(TestSupport.ascii("more")))
                        .isInstanceOf(UvException.class).hasMessageContaining("ENOBUFS");
                // The peer starts reading: it receives exactly what was accepted, then EOF.
                long expected = accepted.size() * 64L * 1024;
                InputStream in = peer.getInputStream();
                byte[] sink = new byte[256 * 1024];
                long got = 0;
                while (got < expected) {
                    int n = in.read(sink);
                    assertThat(n).isPositive();
                    got += n;
                }
                await(CompletableFuture.allOf(accepted.toArray(CompletableFuture[]::new)));
                client.close();
                for (int n; (n = in.read(sink)) >= 0; ) {
                    got += n;
                }
                assertThat(got).as("bytes the peer received").isEqualTo(expected);
            }
        }
    }

    @Test
    void theServiceDefaultWriteQueueLimitAppliesToEveryNewHandle() throws Exception {
        try (StandaloneTcpService small = StandaloneTcpService.start(TcpServiceSettings.defaults()
                .withThreadNamePrefix(TestSupport.uniquePrefix("wqdef"))
                .withMaxWriteQueueBytes(1000))) {
            Tcp tcp = small.newTcp();
            assertThat(tcp.maxWriteQueueSize()).isEqualTo(1000);
            // A single write above the limit is refused even before the handle is connected.
            UvException e = (UvException) failureOf(tcp.write(ByteBuffer.allocate(1001)));
            assertThat(e.errorName()).isEqualTo("ENOBUFS");
            assertThatThrownBy(() -> tcp.setMaxWriteQueueSize(0))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(TcpServiceSettings.defaults().maxWriteQueueBytes()).isEqualTo(64L * MIB);
    }

    // ---- connects ----

    @Test
    void connectToAClosedPortIsRefused() throws Exception {
        Tcp tcp = service.newTcp();
        UvException e = (UvException) failureOf(
                tcp.connect(TestSupport.loopback(TestSupport.closedPort()), Duration.ofSeconds(5)));
        assertThat(e.errorName()).isEqualTo("ECONNREFUSED");
        tcp.close();
    }

    /**
     * A listener whose accept queue is full: Linux drops further SYNs (it does not refuse
     * them), so a connect never completes. Made on 127.0.0.1 with a plain listener of backlog
     * 1 that never accepts.
     */
    @Test
    void aConnectThatNeverCompletesEndsInETimedOutAndClosesTheHandle() throws Exception {
        List<Socket> fillers = new ArrayList<>();
        try (ServerSocket full = new ServerSocket(0, 1, TestSupport.LOOPBACK)) {
            InetSocketAddress address = (InetSocketAddress) full.getLocalSocketAddress();
            TestSupport.fillAcceptQueue(address, fillers);
            Tcp tcp = service.newTcp();
            long start = System.nanoTime();
            UvException e = (UvException) failureOf(tcp.connect(address, Duration.ofMillis(300)));
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(e.errorName()).isEqualTo("ETIMEDOUT");
            assertThat(e.getMessage()).contains("300 ms");
            assertThat(tookMs).isBetween(250L, 5000L);
            await(tcp.closeFuture());
            assertThat(tcp.isClosed()).isTrue();
        } finally {
            for (Socket s : fillers) {
                s.close();
            }
        }
    }

    @Test
    void aConnectThatCompletesInTimeIsNotAffectedByItsTimeout() throws Exception {
        Tcp server = TestSupport.startEchoServer(service);
        Tcp tcp = service.newTcp();
        await(tcp.connect(server.localAddress(), Duration.ofMillis(200)));
        long connected = System.nanoTime();
        TestSupport.Collector reads = new TestSupport.Collector();
        tcp.startReading(reads);
        // Echoes on this connection until twice the timeout has passed, instead of a sleep:
        // the last one went through the loop after the timeout's deadline, and the loop runs
        // the timers that are due before its I/O, so a timer still armed would have closed
        // the connection by then.
        int echoes = 0;
        do {
            assertThat(tcp.isClosed()).as("closed after %d echoes", echoes).isFalse();
            await(tcp.write(TestSupport.ascii("ok")));
            assertThat(reads.takeString(2)).isEqualTo("ok");
            echoes++;
        } while (System.nanoTime() - connected < Duration.ofMillis(400).toNanos());
        assertThat(tcp.isClosed()).isFalse();
        assertThatThrownBy(() -> tcp.connect(server.localAddress(), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tcp.connect(server.localAddress(), null))
                .isInstanceOf(NullPointerException.class);
        tcp.close();
        server.close();
    }

    // ---- backlog overflow ----

    @Test
    void aBacklogOverflowDelaysOrDropsConnectsButTheServerServesOnceItAccepts() throws Exception {
        Tcp server = service.newTcp();
        server.bind(TestSupport.loopback(0));
        List<Stream> waiting = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> acceptNow = new CompletableFuture<>();
        server.listen(1, (s, error) -> {
            if (acceptNow.isDone()) {
                acceptAllAndEcho(s);
            }
            // else: leave it waiting in the kernel's queue
        });
        InetSocketAddress address = server.localAddress();
        List<CompletableFuture<Void>> connects = new ArrayList<>();
        List<Tcp> clients = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Tcp c = service.newTcp();
            clients.add(c);
            connects.add(c.connect(address, Duration.ofMillis(500)).toCompletableFuture());
        }
        int ok = 0;
        int timedOut = 0;
        for (CompletableFuture<Void> c : connects) {
            try {
                c.get(TestSupport.TIMEOUT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
                ok++;
            } catch (java.util.concurrent.ExecutionException e) {
                assertThat(((UvException) e.getCause()).errorName()).isEqualTo("ETIMEDOUT");
                timedOut++;
            }
        }
        assertThat(ok).as("connections the kernel queued").isPositive();
        assertThat(timedOut).as("connections beyond the backlog").isPositive();
        // Now accept: the queued connections are served, and new ones get through.
        acceptNow.complete(null);
        server.loop().execute(() -> acceptAllAndEcho(server));
        Tcp late = await(service.connect(address));
        TestSupport.Collector reads = new TestSupport.Collector();
        late.startReading(reads);
        await(late.write(TestSupport.ascii("served")));
        assertThat(reads.takeString(6)).isEqualTo("served");
        for (Tcp c : clients) {
            c.close();
        }
        late.close();
        server.close();
        waiting.clear();
    }

    private static void acceptAllAndEcho(Stream server) {
        while (true) {
            try {
                Stream c = server.accept();
                c.startReading(TestSupport.ECHO);
            } catch (UvException e) {
                return; // EAGAIN: nothing more is waiting
            }
        }
    }
}
