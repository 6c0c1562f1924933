package dev.uvtcp.service;

import static dev.uvtcp.service.TestSupport.await;
import static dev.uvtcp.service.TestSupport.failureOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.uvtcp.BindFlag;
import dev.uvtcp.HandleClosedException;
import dev.uvtcp.HandleType;
import dev.uvtcp.Loop;
import dev.uvtcp.ReadHandler;
import dev.uvtcp.Tcp;
import dev.uvtcp.UvException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ref/unref and loop liveness, close, and use after close. */
class HandleLifecycleTest {

    private StandaloneTcpService service;

    @BeforeEach
    void start() throws Exception {
        service = TestSupport.startService("life");
    }

    @AfterEach
    void stop() {
        service.close();
    }

    @Test
    void listeningServerKeepsTheLoopAliveUnlessUnreferenced() throws Exception {
        Loop loop = service.loops().get(0);
        assertThat(loop.isAlive()).as("an idle loop").isFalse();

        Tcp server = TestSupport.startEchoServer(service);
        assertThat(server.loop()).isSameAs(loop);
        assertThat(server.isActive()).isTrue();
        assertThat(server.hasRef()).isTrue();
        assertThat(loop.isAlive()).as("listening, referenced").isTrue();

        server.unref();
        assertThat(server.hasRef()).isFalse();
        assertThat(loop.isAlive()).as("listening, unreferenced").isFalse();
        server.unref(); // idempotent
        assertThat(loop.isAlive()).isFalse();

        server.ref();
        assertThat(server.hasRef()).isTrue();
        assertThat(loop.isAlive()).as("referenced again").isTrue();
        server.ref(); // idempotent
        assertThat(server.hasRef()).isTrue();

        server.close();
        await(server.closeFuture());
        assertThat(loop.isAlive()).as("after close").isFalse();
        assertThat(loop.handleCount()).isZero();
    }

    @Test
    void anInactiveHandleDoesNotKeepTheLoopAlive() throws Exception {
        Tcp idle = service.newTcp();
        assertThat(idle.isActive()).isFalse();
        assertThat(idle.hasRef()).isTrue();
        assertThat(idle.loop().isAlive()).isFalse();
        assertThat(idle.loop().handleCount()).isEqualTo(1);
    }

    @Test
    void closeIsIdempotentAndCompletesCloseFuture() throws Exception {
        Tcp server = TestSupport.startEchoServer(service);
        assertThat(server.isClosed()).isFalse();
        assertThat(server.isClosing()).isFalse();

        server.close();
        assertThat(server.isClosed()).isTrue();
        assertThat(server.isClosing()).isTrue();
        assertThat(server.isActive()).isFalse();
        server.close();
        await(server.closeFuture());
        server.close();
        assertThat(server.closeFuture().toCompletableFuture()).isCompleted();
        assertThat(service.handles()).doesNotContain(server);
    }

    @Test
    void closeOnTheLoopThreadInsideACallbackIsIdempotentToo() throws Exception {
        Tcp tcp = service.newTcp();
        CompletableFuture<Boolean> closedOnLoop = new CompletableFuture<>();
        tcp.loop().execute(() -> {
            tcp.close();
            tcp.close();
            closedOnLoop.complete(tcp.isClosed());
        });
        assertThat(await(closedOnLoop)).isTrue();
        await(tcp.closeFuture());
    }

    @Test
    void closeFailsAPendingConnectWithEcanceled() throws Exception {
        Tcp server = TestSupport.startEchoServer(service);
        Tcp tcp = service.newTcp();
        InetSocketAddress target = server.localAddress();
        CompletableFuture<CompletionStage<Void>> connect = new CompletableFuture<>();
        // Connect and close in one loop task: the connect is certainly still pending.
        tcp.loop().execute(() -> {
            CompletionStage<Void> stage = tcp.connect(target);
            tcp.close();
            connect.complete(stage);
        });
        assertThat(failureOf(await(connect))).isInstanceOfSatisfying(UvException.class,
                e -> assertThat(e.errorName()).isEqualTo("ECANCELED"));
        await(tcp.closeFuture());
    }

    @Test
    void closeFailsQueuedWritesAndAPendingShutdown() throws Exception {
        try (ServerSocket peerServer = new ServerSocket()) {
            peerServer.setReceiveBufferSize(16 * 1024);
            peerServer.bind(TestSupport.loopback(0), 8);
            Tcp client = await(service.connect((InetSocketAddress) peerServer.getLocalSocketAddress()));
            try (Socket peer = TestSupport.acceptPlain(peerServer)) {
                client.setSendBufferSize(16 * 1024);
                CompletionStage<Void> big = client.write(ByteBuffer.allocateDirect(8 << 20));
                CompletionStage<Void> shutdown = client.shutdown();
                assertThat(client.writeQueueSize()).isPositive();
                client.close();
                for (CompletionStage<Void> stage : List.of(big, shutdown)) {
                    assertThat(failureOf(stage)).isInstanceOfSatisfying(UvException.class,
                            e -> assertThat(e.errorName()).isEqualTo("ECANCELED"));
                }
                await(client.closeFuture());
            }
        }
    }

    @Test
    void everyOperationAfterCloseIsRefusedWithHandleClosedException() throws Exception {
        Tcp server = TestSupport.startEchoServer(service);
        Tcp client = await(service.connect(server.localAddress()));
        Tcp unbound = service.newTcp();
        for (Tcp tcp : new Tcp[] {server, client, unbound}) {
            tcp.attach("kept");
            tcp.close();
            assertClosedBehaviour(tcp);
            await(tcp.closeFuture());
            assertClosedBehaviour(tcp);
        }
    }

    private void assertClosedBehaviour(Tcp tcp) {
        InetSocketAddress somewhere = TestSupport.loopback(9);
        ReadHandler reader = (stream, data) -> { };
        Map<String, ThrowingCallable> sync = new LinkedHashMap<>();
        // Handle
        sync.put("ref", tcp::ref);
        sync.put("unref", tcp::unref);
        sync.put("hasRef", tcp::hasRef);
        sync.put("sendBufferSize", tcp::sendBufferSize);
        sync.put("setSendBufferSize", () -> tcp.setSendBufferSize(65536));
        sync.put("receiveBufferSize", tcp::receiveBufferSize);
        sync.put("setReceiveBufferSize", () -> tcp.setReceiveBufferSize(65536));
        sync.put("fileno", tcp::fileno);
        // Stream
        sync.put("listen", () -> tcp.listen(8, (s, e) -> { }));
        sync.put("accept", tcp::accept);
        sync.put("startReading", () -> tcp.startReading(reader));
        sync.put("tryWrite", () -> tcp.tryWrite(TestSupport.ascii("x")));
        sync.put("setBlocking", () -> tcp.setBlocking(false));
        sync.put("writeQueueSize", tcp::writeQueueSize);
        sync.put("setMaxWriteQueueSize", () -> tcp.setMaxWriteQueueSize(1024));
        // Tcp
        sync.put("bind", () -> tcp.bind(TestSupport.loopback(0)));
        sync.put("bind IPV6_ONLY", () -> tcp.bind(TestSupport.loopback(0), BindFlag.IPV6_ONLY));
        sync.put("localAddress", tcp::localAddress);
        sync.put("remoteAddress", tcp::remoteAddress);
        sync.put("setNoDelay", () -> tcp.setNoDelay(true));
        sync.put("isNoDelay", tcp::isNoDelay);
        sync.put("setKeepAlive", () -> tcp.setKeepAlive(true, 30));
        sync.put("isKeepAlive", tcp::isKeepAlive);
        sync.put("keepAliveDelay", tcp::keepAliveDelay);
        sync.put("setSimultaneousAccepts", () -> tcp.setSimultaneousAccepts(true));
        sync.forEach((name, call) -> assertThatThrownBy(call).as(name + " after close")
                .isInstanceOf(HandleClosedException.class)
                .hasMessageContaining("closed"));

        Map<String, CompletionStage<?>> async = new LinkedHashMap<>();
        async.put("write", tcp.write(TestSupport.ascii("x")));
        async.put("writev", tcp.write(TestSupport.ascii("x"), TestSupport.directAscii("y")));
        async.put("connect", tcp.connect(somewhere));
        async.put("connect with timeout", tcp.connect(somewhere, Duration.ofSeconds(1)));
        async.put("shutdown", tcp.shutdown());
        async.forEach((name, stage) -> assertThat(failureOf(stage)).as(name + " after close")
                .isInstanceOf(HandleClosedException.class));

        // Documented to work after close.
        assertThatCode(() -> {
            tcp.close();
            tcp.closeReset();
        }).doesNotThrowAnyException();
        assertThat(tcp.isClosed()).isTrue();
        assertThat(tcp.isClosing()).isTrue();
        assertThat(tcp.isActive()).isFalse();
        assertThat(tcp.loop()).isSameAs(service.loops().get(0));
        assertThat(tcp.type()).isEqualTo(HandleType.TCP);
        assertThat(tcp.attachment()).isEqualTo("kept");
        assertThat(tcp.attach("again")).isEqualTo("kept");
        tcp.attach("kept");
        assertThat(tcp.closeFuture()).isNotNull();
        assertThat(tcp.maxWriteQueueSize()).as("maxWriteQueueSize answers after close")
                .isPositive();
        // Not exempted by Handle's Javadoc, but these report "nothing" instead of throwing:
        // stopReading is a no-op and isReadable/isWritable answer false (see the report).
        assertThatCode(tcp::stopReading).doesNotThrowAnyException();
        assertThat(tcp.isReadable()).isFalse();
        assertThat(tcp.isWritable()).isFalse();
    }

    @Test
    void closeResetSendsAResetAndClosesTheHandle() throws Exception {
        try (ServerSocket peerServer = TestSupport.plainServer()) {
            Tcp client = await(service.connect((InetSocketAddress) peerServer.getLocalSocketAddress()));
            try (Socket peer = TestSupport.acceptPlain(peerServer)) {
                client.closeReset();
                assertThat(client.isClosed()).isTrue();
                await(client.closeFuture());
                assertThatThrownBy(() -> peer.getInputStream().read())
                        .isInstanceOf(java.net.SocketException.class)
                        .hasMessageContaining("reset");
            }
        }
    }

    @Test
    void closeResetWhileAShutdownIsPendingFailsWithEinvalAndLeavesTheHandleOpen()
            throws Exception {
        try (ServerSocket peerServer = TestSupport.plainServer()) {
            Tcp client = await(service.connect((InetSocketAddress) peerServer.getLocalSocketAddress()));
            try (Socket peer = TestSupport.acceptPlain(peerServer)) {
                CompletableFuture<Throwable> refused = new CompletableFuture<>();
                // Both in one loop task: the shutdown has certainly not happened yet.
                client.loop().execute(() -> {
                    client.shutdown();
                    try {
                        client.closeReset();
                        refused.complete(null);
                    } catch (Throwable t) {
                        refused.complete(t);
                    }
                });
                assertThat(await(refused)).isInstanceOfSatisfying(UvException.class,
                        e -> assertThat(e.errorName()).isEqualTo("EINVAL"));
                assertThat(client.isClosed()).isFalse();
                assertThat(client.fileno()).isNotNegative();
                assertThat(peer.getInputStream().read()).as("the shutdown went on").isEqualTo(-1);
            }
        }
    }

    @Test
    void closingAReadingStreamStopsItsHandler() throws Exception {
        Tcp server = TestSupport.startEchoServer(service);
        Tcp client = await(service.connect(server.localAddress()));
        AtomicInteger calls = new AtomicInteger();
        client.startReading((stream, data) -> calls.incrementAndGet());
        CompletionStage<Void> write = client.write(ByteBuffer.allocate(10));
        client.close();
        await(client.closeFuture());
        int seen = calls.get();
        // A task through the loop (instead of a sleep): anything the handle still had to
        // deliver would have run before it.
        TestSupport.onLoopOf(server, () -> null);
        assertThat(calls.get()).isEqualTo(seen);
        // The write either made it before the close or was cancelled by it.
        try {
            write.toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            assertThat(e.getCause()).isInstanceOfAny(UvException.class, HandleClosedException.class);
        }
    }
}
