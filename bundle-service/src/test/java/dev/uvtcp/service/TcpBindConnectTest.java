package dev.uvtcp.service;

import static dev.uvtcp.service.TestSupport.await;
import static dev.uvtcp.service.TestSupport.failureOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.uvtcp.BindFlag;
import dev.uvtcp.Tcp;
import dev.uvtcp.UvException;
import dev.uvtcp.jni.UvNative;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.Assumptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Binding, listening, connecting and adopting descriptors; addresses seen from both ends. */
class TcpBindConnectTest {

    private StandaloneTcpService service;

    @BeforeEach
    void start() throws Exception {
        service = TestSupport.startService("bind");
    }

    @AfterEach
    void stop() {
        service.close();
    }

    @Test
    void openAdoptsAPlainSocketAndEchoesThroughIt() throws Exception {
        Tcp echo = TestSupport.startEchoServer(service);
        int fd = UvNative.socketNew(UvNative.DOMAIN_INET);
        assertThat(fd).as("socketNew result").isGreaterThanOrEqualTo(0);
        try {
            Tcp adopted = service.open(fd);
            assertThat(adopted.fileno()).as("a duplicate of fd").isNotEqualTo(fd);
            assertThat(service.handles()).contains(adopted);

            await(adopted.connect(echo.localAddress()));
            TestSupport.Collector reads = new TestSupport.Collector();
            adopted.startReading(reads);
            await(adopted.write(TestSupport.ascii("through an adopted descriptor")));
            assertThat(reads.takeString(29)).isEqualTo("through an adopted descriptor");
            assertThat(adopted.remoteAddress()).isEqualTo(echo.localAddress());

            adopted.close();
            await(adopted.closeFuture());
        } finally {
            // The handle closed only its duplicate: fd is still the caller's to close.
            assertThat(UvNative.socketClose(fd)).as("close of the caller's fd").isZero();
        }
    }

    @Test
    void ipv6OnlyBindRefusesIpv4ConnectionsWhileDualStackAcceptsThem() throws Exception {
        Assumptions.assumeThat(TestSupport.ipv6LoopbackAvailable()).as("::1 usable").isTrue();
        InetSocketAddress any6 = new InetSocketAddress(InetAddress.getByName("::"), 0);

        Tcp v6only = service.newTcp();
        v6only.bind(any6, BindFlag.IPV6_ONLY);
        AtomicInteger v6onlyAccepted = new AtomicInteger();
        v6only.listen(16, (server, error) -> {
            try {
                server.accept().close();
                v6onlyAccepted.incrementAndGet();
            } catch (UvException e) {
                // counted as not accepted
            }
        });
        int v6onlyPort = v6only.localAddress().getPort();
        assertThatThrownBy(() -> TestSupport.plainClient(
                new InetSocketAddress(InetAddress.getByName("127.0.0.1"), v6onlyPort)).close())
                .isInstanceOf(ConnectException.class);
        // It does accept IPv6.
        try (Socket v6 = TestSupport.plainClient(
                new InetSocketAddress(InetAddress.getByName("::1"), v6onlyPort))) {
            assertThat(TestSupport.eventually(() -> v6onlyAccepted.get() == 1)).isTrue();
        }

        Tcp dual = service.newTcp();
        dual.bind(any6);
        CompletableFuture<InetSocketAddress> acceptedFrom = new CompletableFuture<>();
        dual.listen(16, (server, error) -> {
            try {
                Tcp connection = (Tcp) server.accept();
                acceptedFrom.complete(connection.remoteAddress());
                connection.close();
            } catch (UvException e) {
                acceptedFrom.completeExceptionally(e);
            }
        });
        int dualPort = dual.localAddress().getPort();
        try (Socket v4 = TestSupport.plainClient(
                new InetSocketAddress(InetAddress.getByName("127.0.0.1"), dualPort))) {
            InetSocketAddress from = await(acceptedFrom);
            assertThat(from.getPort()).isEqualTo(v4.getLocalPort());
            // A v4 peer on a dual-stack socket shows as 127.0.0.1 (Java maps ::ffff:127.0.0.1).
            assertThat(from.getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        }
    }

    @Test
    void secondListenOnPortInUseFailsWithEaddrinuse() throws Exception {
        Tcp first = TestSupport.startEchoServer(service);
        InetSocketAddress taken = first.localAddress();

        Tcp second = service.newTcp();
        // libuv 1.44 defers EADDRINUSE from bind to listen.
        second.bind(taken);
        assertThatThrownBy(() -> second.listen(16, (server, error) -> { }))
                .isInstanceOfSatisfying(UvException.class, e -> {
                    assertThat(e.errorName()).isEqualTo("EADDRINUSE");
                    assertThat(e.operation()).contains("listen");
                });
        second.close();

        // The convenience listen reports it too and leaves nothing open.
        assertThatThrownBy(() -> service.listen(taken, 16, connection -> { }))
                .isInstanceOfSatisfying(UvException.class,
                        e -> assertThat(e.errorName()).isEqualTo("EADDRINUSE"));
        assertThat(TestSupport.eventually(() -> service.handles().equals(java.util.List.of(first))))
                .as("only the first server is left: %s", service.handles()).isTrue();
        // And the first server still works.
        try (Socket client = TestSupport.plainClient(taken)) {
            client.getOutputStream().write("still here".getBytes());
            assertThat(TestSupport.string(TestSupport.readExactly(client.getInputStream(), 10)))
                    .isEqualTo("still here");
        }
    }

    @Test
    void connectToClosedPortFailsWithEconnrefused() throws Exception {
        InetSocketAddress nobody = TestSupport.loopback(TestSupport.closedPort());

        Tcp tcp = service.newTcp();
        Throwable lowLevel = failureOf(tcp.connect(nobody));
        assertThat(lowLevel).isInstanceOfSatisfying(UvException.class, e -> {
            assertThat(e.errorName()).isEqualTo("ECONNREFUSED");
            assertThat(e.operation()).contains("connect").contains(String.valueOf(nobody.getPort()));
        });
        tcp.close();

        Throwable convenience = failureOf(service.connect(nobody));
        assertThat(convenience).isInstanceOfSatisfying(UvException.class,
                e -> assertThat(e.errorName()).isEqualTo("ECONNREFUSED"));
        assertThat(TestSupport.eventually(() -> service.handles().isEmpty()))
                .as("the failed connection's handle is closed: %s", service.handles()).isTrue();
    }

    @Test
    void localAndRemoteAddressesAgreeAcrossBothEnds() throws Exception {
        CompletableFuture<Tcp> accepted = new CompletableFuture<>();
        Tcp server = service.listen("127.0.0.1", 0, 16, accepted::complete);
        InetSocketAddress serverAddress = server.localAddress();
        assertThat(serverAddress.getAddress()).isEqualTo(InetAddress.getByName("127.0.0.1"));
        assertThat(serverAddress.getPort()).isPositive();

        Tcp client = await(service.connect(serverAddress));
        Tcp connection = await(accepted);

        assertThat(client.remoteAddress()).isEqualTo(serverAddress);
        assertThat(connection.localAddress()).isEqualTo(serverAddress);
        assertThat(connection.remoteAddress()).isEqualTo(client.localAddress());
        assertThat(client.localAddress().getPort()).isPositive().isNotEqualTo(serverAddress.getPort());
    }

    @Test
    void remoteAddressOfAnUnconnectedHandleFailsWithEnotconn() throws Exception {
        Tcp tcp = service.newTcp();
        tcp.bind(TestSupport.loopback(0));
        assertThatThrownBy(tcp::remoteAddress).isInstanceOfSatisfying(UvException.class,
                e -> assertThat(e.errorName()).isEqualTo("ENOTCONN"));
    }

    @Test
    void ipv6LoopbackAddressesRoundTrip() throws Exception {
        Assumptions.assumeThat(TestSupport.ipv6LoopbackAvailable()).as("::1 usable").isTrue();
        Tcp echo = service.listen("::1", 0, 16, connection -> {
            try {
                connection.startReading(TestSupport.ECHO);
            } catch (UvException e) {
                connection.close();
            }
        });
        InetSocketAddress address = echo.localAddress();
        assertThat(address.getAddress()).isEqualTo(InetAddress.getByName("::1"));
        Tcp client = await(service.connect("::1", address.getPort()));
        assertThat(client.remoteAddress()).isEqualTo(address);
        TestSupport.Collector reads = new TestSupport.Collector();
        client.startReading(reads);
        client.write(TestSupport.ascii("v6"));
        assertThat(reads.takeString(2)).isEqualTo("v6");
    }
}
