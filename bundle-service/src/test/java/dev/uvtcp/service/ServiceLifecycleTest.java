package dev.uvtcp.service;

import static dev.uvtcp.service.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.uvtcp.Handle;
import dev.uvtcp.HandleClosedException;
import dev.uvtcp.Loop;
import dev.uvtcp.Tcp;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What closing a TcpService leaves behind (nothing), and how handles spread over loops. */
class ServiceLifecycleTest {

    @BeforeAll
    static void warmUp() throws Exception {
        TestSupport.warmUpForCounting();
    }

    @Test
    void closingTheServiceClosesEveryHandleJoinsItsThreadsAndReleasesEveryDescriptor()
            throws Exception {
        String prefix = TestSupport.uniquePrefix("close");
        long fdsBefore = TestSupport.openFdCount();
        assertThat(TestSupport.threadsNamed(prefix)).isEmpty();

        StandaloneTcpService service = StandaloneTcpService.start(
                new TcpServiceSettings(2, 64 * 1024, prefix));
        assertThat(TestSupport.threadsNamed(prefix)).containsExactly(prefix + "0", prefix + "1");
        CompletableFuture<Tcp> accepted = new CompletableFuture<>();
        Tcp server = service.listen("127.0.0.1", 0, 16, accepted::complete);
        InetSocketAddress serverAddress = server.localAddress();
        Tcp idle = service.newTcp();
        Tcp outgoing = await(service.connect(serverAddress));
        Tcp reading = await(service.connect(serverAddress));
        reading.startReading((stream, data) -> { });
        List<Handle> all;
        try (Socket plain = TestSupport.plainClient(serverAddress)) {
            await(accepted);
            // server, idle, two uvtcp clients, and three accepted ends
            assertThat(TestSupport.eventually(() -> service.handles().size() == 7))
                    .as("handles: %s", service.handles()).isTrue();
            all = service.handles();
            assertThat(all).hasSize(7).contains(server, idle, outgoing, reading);
            Loop firstLoop = service.loops().get(0);

            service.close();

            for (Handle handle : all) {
                assertThat(handle.isClosed()).as("%s closed", handle).isTrue();
                assertThat(handle.closeFuture().toCompletableFuture())
                        .as("%s closeFuture", handle).isCompleted();
            }
            assertThat(service.handles()).isEmpty();
            InputStream in = plain.getInputStream();
            assertThat(in.read()).as("the peer of an accepted connection sees EOF").isEqualTo(-1);
            assertThatThrownBy(firstLoop::isAlive).isInstanceOf(RejectedExecutionException.class);
            assertThatThrownBy(() -> firstLoop.execute(() -> { }))
                    .isInstanceOf(RejectedExecutionException.class);
        }
        // The port is free again.
        try (ServerSocket again = new ServerSocket()) {
            again.bind(serverAddress);
        }
        assertThat(TestSupport.threadsNamed(prefix)).as("loop threads left").isEmpty();
        TestSupport.eventually(() -> TestSupport.openFdCount() == fdsBefore);
        assertThat(TestSupport.openFdCount()).as("open descriptors").isEqualTo(fdsBefore);
    }

    @Test
    void aClosedServiceRefusesNewHandlesAndClosingAgainIsANoOp() throws Exception {
        StandaloneTcpService service = TestSupport.startService("closed");
        Tcp tcp = service.newTcp();
        service.close();
        service.close();
        assertThat(tcp.isClosed()).isTrue();
        assertThatThrownBy(service::newTcp).isInstanceOf(HandleClosedException.class);
        assertThatThrownBy(() -> service.listen("127.0.0.1", 0, 8, c -> { }))
                .isInstanceOf(HandleClosedException.class);
        assertThat(TestSupport.failureOf(service.connect(TestSupport.loopback(9))))
                .isInstanceOf(HandleClosedException.class);
        assertThatThrownBy(tcp::fileno).isInstanceOf(HandleClosedException.class);
    }

    @Test
    void startingAndClosingManyServicesLeaksNoThreadsOrDescriptors() throws Exception {
        String prefix = TestSupport.uniquePrefix("many");
        long fdsBefore = TestSupport.openFdCount();
        for (int i = 0; i < 20; i++) {
            try (StandaloneTcpService service = StandaloneTcpService.start(
                    new TcpServiceSettings(3, 4096, prefix))) {
                Tcp server = TestSupport.startEchoServer(service);
                await(service.connect(server.localAddress()));
            }
        }
        assertThat(TestSupport.threadsNamed(prefix)).isEmpty();
        TestSupport.eventually(() -> TestSupport.openFdCount() == fdsBefore);
        assertThat(TestSupport.openFdCount()).isEqualTo(fdsBefore);
    }

    @Test
    void newHandlesAreSpreadOverAllLoopsAndAcceptedOnesStayOnTheirServersLoop()
            throws Exception {
        String prefix = TestSupport.uniquePrefix("spread");
        try (StandaloneTcpService service = StandaloneTcpService.start(
                new TcpServiceSettings(2, 65536, prefix))) {
            List<Loop> loops = service.loops();
            assertThat(loops).hasSize(2);
            assertThat(loops).extracting(Loop::name).containsExactly(prefix + "0", prefix + "1");
            assertThat(TestSupport.threadsNamed(prefix)).hasSize(2);

            Set<Loop> used = new HashSet<>();
            for (int i = 0; i < 6; i++) {
                used.add(service.newTcp().loop());
            }
            assertThat(used).containsExactlyInAnyOrderElementsOf(loops);
            assertThat(loops.get(0).handleCount()).isEqualTo(3);
            assertThat(loops.get(1).handleCount()).isEqualTo(3);

            CompletableFuture<Tcp> accepted = new CompletableFuture<>();
            Tcp server = service.listen("127.0.0.1", 0, 16, accepted::complete);
            Tcp client = await(service.connect(server.localAddress()));
            assertThat(client.loop()).isNotSameAs(server.loop());
            Tcp connection = await(accepted);
            assertThat(connection.loop()).isSameAs(server.loop());
            CompletableFuture<Boolean> onServerLoop = new CompletableFuture<>();
            connection.loop().execute(() -> onServerLoop.complete(server.loop().inLoop()));
            assertThat(await(onServerLoop)).isTrue();
            assertThat(server.loop().inLoop()).isFalse();
        }
        assertThat(TestSupport.threadsNamed(prefix)).isEmpty();
    }
}
