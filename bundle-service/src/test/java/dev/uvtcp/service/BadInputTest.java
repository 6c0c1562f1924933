package dev.uvtcp.service;

import static dev.uvtcp.service.TestSupport.await;
import static dev.uvtcp.service.TestSupport.failureOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.uvtcp.BindFlag;
import dev.uvtcp.ConnectionHandler;
import dev.uvtcp.HandleClosedException;
import dev.uvtcp.ListenHandler;
import dev.uvtcp.ReadHandler;
import dev.uvtcp.Tcp;
import dev.uvtcp.UvException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bad arguments and misuse: each a clear Java exception, nothing crashes, nothing leaks. */
class BadInputTest {

    private static final ConnectionHandler IGNORE = connection -> { };
    private static final ListenHandler IGNORE_LISTEN = (server, error) -> { };

    private StandaloneTcpService service;

    @BeforeEach
    void start() throws Exception {
        service = TestSupport.startService("bad");
    }

    @AfterEach
    void stop() {
        service.close();
    }

    @Test
    void nullArgumentsThrowNullPointerExceptionNamingTheArgument() throws Exception {
        Tcp tcp = service.newTcp();
        InetSocketAddress address = TestSupport.loopback(0);

        assertThatThrownBy(() -> StandaloneTcpService.start(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("settings");
        assertThatThrownBy(() -> service.newTcp(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("family");
        assertThatThrownBy(() -> service.connect((InetSocketAddress) null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("address");
        assertThatThrownBy(() -> service.connect((String) null, 80))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("host");
        assertThatThrownBy(() -> service.listen((InetSocketAddress) null, 8, IGNORE))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("address");
        assertThatThrownBy(() -> service.listen(address, 8, null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("handler");
        assertThatThrownBy(() -> service.listen((String) null, 0, 8, IGNORE))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("host");
        assertThatThrownBy(() -> service.listen("127.0.0.1", 0, 8, null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("handler");

        assertThatThrownBy(() -> tcp.bind(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("address");
        assertThatThrownBy(() -> tcp.bind(address, (BindFlag[]) null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("flags");
        assertThatThrownBy(() -> tcp.bind(address, (BindFlag) null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("flag");
        assertThatThrownBy(() -> tcp.connect(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("address");
        assertThatThrownBy(() -> tcp.listen(8, null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("handler");
        assertThatThrownBy(() -> tcp.startReading(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("handler");
        assertThatThrownBy(() -> tcp.write((ByteBuffer[]) null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("buffers");
        assertThatThrownBy(() -> tcp.write(TestSupport.ascii("a"), null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("buffers[1]");
        assertThatThrownBy(() -> tcp.tryWrite((ByteBuffer[]) null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("buffers");
        assertThatThrownBy(() -> tcp.tryWrite(null, TestSupport.ascii("a")))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("buffers[0]");
        assertThatThrownBy(() -> tcp.loop().execute(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("task");

        // Nothing was refused half-way: the handle still works.
        tcp.bind(address);
        assertThat(tcp.localAddress().getPort()).isPositive();
        assertThat(service.handles()).containsExactly(tcp);
    }

    @Test
    void portsOutOfRangeAreRefusedWithIllegalArgumentException() {
        for (int port : new int[] {-1, 65536, Integer.MIN_VALUE}) {
            assertThatThrownBy(() -> service.connect("127.0.0.1", port))
                    .as("connect port %d", port)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(String.valueOf(port));
            assertThatThrownBy(() -> service.listen("127.0.0.1", port, 8, IGNORE))
                    .as("listen port %d", port)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(String.valueOf(port));
        }
        // A connection needs a port; port 0 is only for listening.
        assertThatThrownBy(() -> service.connect("127.0.0.1", 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> service.connect(TestSupport.loopback(0)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(service.handles()).isEmpty();
    }

    @Test
    void connectToPortZeroOnAHandleIsRefused() throws Exception {
        Tcp tcp = service.newTcp();
        assertThatThrownBy(() -> tcp.connect(TestSupport.loopback(0)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void unresolvedAddressesAreRefusedWithIllegalArgumentException() throws Exception {
        InetSocketAddress unresolved = InetSocketAddress.createUnresolved("example.invalid", 80);
        Tcp tcp = service.newTcp();
        assertThatThrownBy(() -> service.connect(unresolved))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("example.invalid").hasMessageContaining("unresolved");
        assertThatThrownBy(() -> service.listen(unresolved, 8, IGNORE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unresolved");
        assertThatThrownBy(() -> tcp.bind(unresolved))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unresolved");
        assertThatThrownBy(() -> tcp.connect(unresolved))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unresolved");
        assertThat(service.handles()).containsExactly(tcp);
    }

    @Test
    void hostsThatCannotBeResolvedAreRefusedWithIllegalArgumentException() {
        assertThatThrownBy(() -> service.connect("no-such-host.invalid", 80))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no-such-host.invalid");
        assertThatThrownBy(() -> service.listen("no-such-host.invalid", 0, 8, IGNORE))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void malformedLiteralAddressesAreReportedAsInvalidNotAsUnknownHosts() {
        for (String bad : new String[] {"999.1.1.1", "256.0.0.1", "1.2.3", "1.2.3.4.5",
                "127.0.0.01", "1..2.3", "::zz", "[::1", "1:2:3:4:5:6:7:8:9"}) {
            assertThatThrownBy(() -> service.connect(bad, 80)).as("connect " + bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("invalid address '" + bad + "'")
                    .hasMessageNotContaining("resolve");
            assertThatThrownBy(() -> service.listen(bad, 0, 8, IGNORE)).as("listen " + bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("invalid address '" + bad + "'");
        }
        assertThat(service.handles()).isEmpty();
    }

    @Test
    void wellFormedLiteralsNeedNoLookup() throws Exception {
        Tcp v4 = service.listen("127.0.0.1", 0, 8, IGNORE);
        assertThat(v4.localAddress().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        Tcp v6 = service.listen("[::1]", 0, 8, IGNORE);
        assertThat(v6.localAddress().getAddress().getHostAddress()).isIn("::1",
                "0:0:0:0:0:0:0:1");
    }

    @Test
    void negativeBacklogIsRefusedWithIllegalArgumentException() throws Exception {
        assertThatThrownBy(() -> service.listen(TestSupport.loopback(0), -1, IGNORE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("backlog");
        assertThatThrownBy(() -> service.listen("127.0.0.1", 0, -1, IGNORE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("backlog");
        Tcp tcp = service.newTcp();
        tcp.bind(TestSupport.loopback(0));
        assertThatThrownBy(() -> tcp.listen(-1, IGNORE_LISTEN))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("backlog");
        assertThat(tcp.isActive()).as("not listening").isFalse();
        assertThat(service.handles()).containsExactly(tcp);
    }

    @Test
    void otherOutOfRangeValuesAreRefusedWithIllegalArgumentException() throws Exception {
        Tcp tcp = service.newTcp(StandardProtocolFamily.INET);
        assertThatThrownBy(() -> tcp.setSendBufferSize(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tcp.setReceiveBufferSize(-5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tcp.setKeepAlive(true, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> service.newTcp(StandardProtocolFamily.UNIX))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> service.open(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tcp.write()).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void openOfADescriptorThatIsNotOpenFailsAndLeavesNothingOpen() {
        // A descriptor number far above anything this process has open.
        assertThatThrownBy(() -> service.open(19_999)).isInstanceOf(UvException.class);
        assertThat(TestSupport.eventually(() -> service.handles().isEmpty())).isTrue();
    }

    @Test
    void writeAfterShutdownFailsWithEpipe() throws Exception {
        try (ServerSocket peerServer = TestSupport.plainServer()) {
            Tcp client = await(service.connect((InetSocketAddress) peerServer.getLocalSocketAddress()));
            try (Socket peer = TestSupport.acceptPlain(peerServer)) {
                // Right after asking for the shutdown, before it happened...
                var shutdown = client.shutdown();
                Throwable early = failureOf(client.write(TestSupport.ascii("too late")));
                await(shutdown);
                // ...and after it completed.
                Throwable late = failureOf(client.write(TestSupport.ascii("too late")));
                for (Throwable failure : new Throwable[] {early, late}) {
                    assertThat(failure).isInstanceOfSatisfying(UvException.class, e -> {
                        assertThat(e.errorName()).isEqualTo("EPIPE");
                        assertThat(e.operation()).contains("write");
                    });
                }
                assertThatThrownBy(() -> client.tryWrite(TestSupport.ascii("x")))
                        .isInstanceOfSatisfying(UvException.class,
                                e -> assertThat(e.errorName()).isEqualTo("EPIPE"));
                assertThat(failureOf(client.shutdown())).isInstanceOf(UvException.class);
                assertThat(peer.getInputStream().read()).as("peer sees only EOF").isEqualTo(-1);
            }
        }
    }

    @Test
    void writeAfterCloseFailsWithHandleClosedException() throws Exception {
        Tcp server = TestSupport.startEchoServer(service);
        Tcp client = await(service.connect(server.localAddress()));
        client.close();
        assertThat(failureOf(client.write(TestSupport.ascii("x"))))
                .isInstanceOf(HandleClosedException.class).hasMessageContaining("write");
        await(client.closeFuture());
        assertThat(failureOf(client.write(TestSupport.directAscii("x"))))
                .isInstanceOf(HandleClosedException.class);
        assertThatThrownBy(() -> client.tryWrite(TestSupport.ascii("x")))
                .isInstanceOf(HandleClosedException.class);
    }

    @Test
    void writeOnAnUnconnectedHandleFailsWithAUvException() throws Exception {
        Tcp tcp = service.newTcp();
        assertThat(failureOf(tcp.write(TestSupport.ascii("x")))).isInstanceOf(UvException.class);
        assertThatThrownBy(() -> tcp.tryWrite(TestSupport.ascii("x"))).isInstanceOf(UvException.class);
        assertThat(failureOf(tcp.shutdown())).isInstanceOfSatisfying(UvException.class,
                e -> assertThat(e.errorName()).isEqualTo("ENOTCONN"));
        assertThatThrownBy(() -> tcp.startReading((ReadHandler) (s, d) -> { }))
                .isInstanceOf(UvException.class);
        assertThat(tcp.isClosed()).isFalse();
    }

    @Test
    void acceptWithoutAPendingConnectionFailsWithEagain() throws Exception {
        Tcp server = service.newTcp();
        server.bind(TestSupport.loopback(0));
        server.listen(8, IGNORE_LISTEN);
        assertThatThrownBy(server::accept).isInstanceOfSatisfying(UvException.class, e -> {
            assertThat(e.errorName()).isEqualTo("EAGAIN");
            assertThat(e.operation()).contains("accept");
        });
        // The failed accept leaves no half-made handle behind.
        assertThat(TestSupport.eventually(() -> service.handles().size() == 1)).isTrue();
        CompletableFuture<Tcp> accepted = new CompletableFuture<>();
        server.loop().execute(() -> {
            try {
                accepted.complete(server.accept());
            } catch (UvException e) {
                accepted.completeExceptionally(e);
            }
        });
        assertThat(failureOf(accepted)).isInstanceOfSatisfying(UvException.class,
                e -> assertThat(e.errorName()).isEqualTo("EAGAIN"));
    }

    @Test
    void secondConnectWhileOneIsPendingFailsWithEalreadyAndAfterItWithEisconn() throws Exception {
        Tcp server = TestSupport.startEchoServer(service);
        Tcp other = TestSupport.startEchoServer(service);
        Tcp client = service.newTcp();
        InetSocketAddress target = server.localAddress();
        CompletableFuture<CompletionStage<Void>[]> both = new CompletableFuture<>();
        // Both on the loop thread in one task, so that the first is certainly still pending.
        client.loop().execute(() -> {
            @SuppressWarnings("unchecked")
            CompletionStage<Void>[] stages = new CompletionStage[] {
                client.connect(target), client.connect(target)};
            both.complete(stages);
        });
        CompletionStage<Void>[] stages = await(both);
        assertThat(failureOf(stages[1])).isInstanceOfSatisfying(UvException.class,
                e -> assertThat(e.errorName()).isEqualTo("EALREADY"));
        await(stages[0]);
        for (Tcp again : new Tcp[] {server, other}) {
            assertThat(failureOf(client.connect(again.localAddress())))
                    .as("connect again to %s", again.localAddress())
                    .isInstanceOfSatisfying(UvException.class,
                            e -> assertThat(e.errorName()).isEqualTo("EISCONN"));
        }
        assertThat(client.remoteAddress()).isEqualTo(server.localAddress());
    }

    @Test
    void bindTwiceFailsWithEinval() throws Exception {
        Tcp tcp = service.newTcp();
        tcp.bind(TestSupport.loopback(0));
        assertThatThrownBy(() -> tcp.bind(TestSupport.loopback(0)))
                .isInstanceOfSatisfying(UvException.class,
                        e -> assertThat(e.errorName()).isEqualTo("EINVAL"));
    }

    @Test
    void closingTheServiceFromALoopCallbackThrowsIllegalStateExceptionInsteadOfDeadlocking()
            throws Exception {
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        service.loops().get(0).execute(() -> {
            try {
                service.close();
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        assertThat(await(outcome)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("loop thread");
        // The service is untouched and still works.
        Tcp server = TestSupport.startEchoServer(service);
        try (Socket client = TestSupport.plainClient(server.localAddress())) {
            client.getOutputStream().write(1);
            assertThat(client.getInputStream().read()).isEqualTo(1);
        }
    }

    @Test
    void closingTheServiceFromAReadCallbackThrowsIllegalStateException() throws Exception {
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        service.listen("127.0.0.1", 0, 8, connection -> {
            try {
                service.close();
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        Tcp server = (Tcp) service.handles().get(0);
        try (Socket client = TestSupport.plainClient(server.localAddress())) {
            assertThat(await(outcome)).isInstanceOf(IllegalStateException.class);
        }
        assertThat(server.isClosed()).isFalse();
    }
}
