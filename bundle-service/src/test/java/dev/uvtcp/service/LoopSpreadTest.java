package dev.uvtcp.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.uvtcp.ListenOptions;
import dev.uvtcp.Loop;
import dev.uvtcp.LoopSpread;
import dev.uvtcp.Tcp;
import dev.uvtcp.UvException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link ListenOptions#withLoopSpread(LoopSpread)}: spreading a server over loops. */
class LoopSpreadTest {

    private static final int CONNECTIONS = 40;

    @Test
    void listenerPerLoopSpreadsConnectionsOverEveryLoopAndClosingTheServerFreesThePort()
            throws Exception {
        try (StandaloneTcpService service = twoLoops("spread-reuseport")) {
            Map<Loop, AtomicInteger> acceptedOn = new ConcurrentHashMap<>();
            Tcp server = service.listen(TestSupport.loopback(0), ListenOptions.defaults()
                    .withLoopSpread(LoopSpread.LISTENER_PER_LOOP), echoRecordingLoop(acceptedOn));
            InetSocketAddress address = server.localAddress();
            assertThat(address.getPort()).isPositive();
            // One listener per loop, all on the same address.
            assertThat(service.handles()).hasSize(2);

            // 40 connections from distinct ports: all on one loop has odds 2^-39.
            echoOverConnections(address, CONNECTIONS);
            assertThat(acceptedOn.keySet()).containsExactlyInAnyOrderElementsOf(service.loops());

            // Closing the returned listener closes the other one too: the port is free again.
            server.close();
            assertThat(TestSupport.eventually(() -> service.handles().isEmpty())).isTrue();
            assertThatThrownBy(() -> new Socket(address.getAddress(), address.getPort()).close())
                    .isInstanceOf(java.net.ConnectException.class);
        }
    }

    @Test
    void acceptorHandsConnectionsToTheLoopsInTurnAndKeepsNoHandleOrDescriptorOfThem()
            throws Exception {
        try (StandaloneTcpService service = twoLoops("spread-handoff")) {
            Map<Loop, AtomicInteger> acceptedOn = new ConcurrentHashMap<>();
            List<Boolean> onOwnLoopThread = new CopyOnWriteArrayList<>();
            Tcp server = service.listen(TestSupport.loopback(0), ListenOptions.defaults()
                    .withLoopSpread(LoopSpread.ACCEPTOR_HANDS_OFF), connection -> {
                        onOwnLoopThread.add(connection.loop().inLoop());
                        echoRecordingLoop(acceptedOn).onConnection(connection);
                    });
            InetSocketAddress address = server.localAddress();
            assertThat(service.handles()).as("one listener only").hasSize(1);
            // A first connection per loop, so that what is opened once is open: the JDK's
            // socket support and libuv's spare descriptor (/dev/null) of each loop.
            for (int i = 0; i < service.loops().size(); i++) {
                echoOnce(address, i).close();
            }
            assertThat(TestSupport.eventually(() -> service.handles().size() == 1)).isTrue();
            acceptedOn.clear();
            onOwnLoopThread.clear();
            long fdsBefore = TestSupport.openFdCount();

            List<Socket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < CONNECTIONS; i++) {
                    sockets.add(echoOnce(address, i));
                }
                // Round robin: each loop gets exactly half.
                assertThat(acceptedOn.keySet()).containsExactlyInAnyOrderElementsOf(
                        service.loops());
                assertThat(acceptedOn.values()).allSatisfy(
                        count -> assertThat(count.get()).isEqualTo(CONNECTIONS / 2));
                assertThat(onOwnLoopThread).hasSize(CONNECTIONS).containsOnly(true);
                // The accepting loop's copies are closed: one handle per connection, plus the
                // listener; two descriptors per connection (client and server side in this
                // process), not three. A little slack: the JVM may open a file meanwhile.
                assertThat(TestSupport.eventually(
                        () -> service.handles().size() == CONNECTIONS + 1)).isTrue();
                assertThat(TestSupport.eventually(() -> TestSupport.openFdCount()
                        <= fdsBefore + 2L * CONNECTIONS + 4))
                        .as("descriptors: before %d, now %d", fdsBefore,
                                TestSupport.openFdCount())
                        .isTrue();
                // Moved connections still echo.
                for (int i = 0; i < sockets.size(); i++) {
                    assertThat(TestSupport.echoesByte(sockets.get(i), 100 + i)).isTrue();
                }
            } finally {
                for (Socket socket : sockets) {
                    socket.close();
                }
            }
            assertThat(TestSupport.eventually(() -> service.handles().size() == 1)).isTrue();
            assertThat(TestSupport.eventually(() -> TestSupport.openFdCount() <= fdsBefore))
                    .as("descriptors: before %d, now %d: %s", fdsBefore,
                            TestSupport.openFdCount(), fdTargets())
                    .isTrue();
        }
    }

    private static List<String> fdTargets() {
        List<String> targets = new ArrayList<>();
        try (var fds = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            fds.forEach(fd -> {
                try {
                    targets.add(fd.getFileName() + "->"
                            + java.nio.file.Files.readSymbolicLink(fd));
                } catch (java.io.IOException gone) {
                    // closed meanwhile
                }
            });
        } catch (java.io.IOException e) {
            targets.add(e.toString());
        }
        return targets;
    }

    @Test
    void handedOffConnectionsCountTowardsMaxConnectionsOfTheServer() throws Exception {
        try (StandaloneTcpService service = twoLoops("spread-limit")) {
            List<UvException> acceptErrors = new CopyOnWriteArrayList<>();
            Tcp server = service.listen(TestSupport.loopback(0), ListenOptions.defaults()
                    .withLoopSpread(LoopSpread.ACCEPTOR_HANDS_OFF).withMaxConnections(4),
                    new dev.uvtcp.ConnectionHandler() {
                        @Override
                        public void onConnection(Tcp connection) throws Exception {
                            echoRecordingLoop(new ConcurrentHashMap<>()).onConnection(connection);
                        }

                        @Override
                        public void onAcceptError(Tcp s, UvException error) {
                            acceptErrors.add(error);
                        }
                    });
            InetSocketAddress address = server.localAddress();
            List<Socket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    sockets.add(echoOnce(address, i));
                }
                try (Socket fifth = new Socket(address.getAddress(), address.getPort())) {
                    fifth.setSoTimeout(10_000);
                    assertThat(TestSupport.echoesByte(fifth, 5))
                            .as("the fifth connection is reset").isFalse();
                }
                assertThat(TestSupport.eventually(() -> acceptErrors.size() == 1)).isTrue();
                assertThat(acceptErrors.get(0).errorName()).isEqualTo("ECONNABORTED");
                sockets.remove(0).close();
                // The closed one no longer counts, whichever loop it was on.
                assertThat(TestSupport.eventually(() -> service.handles().size() == 4)).isTrue();
                sockets.add(echoOnce(address, 6));
            } finally {
                for (Socket socket : sockets) {
                    socket.close();
                }
            }
        }
    }

    @Test
    void theDefaultIsOneLoop() {
        assertThat(ListenOptions.defaults().loopSpread()).isEqualTo(LoopSpread.ONE_LOOP);
        ListenOptions handOff = ListenOptions.defaults()
                .withLoopSpread(LoopSpread.ACCEPTOR_HANDS_OFF);
        assertThat(handOff.loopSpread()).isEqualTo(LoopSpread.ACCEPTOR_HANDS_OFF);
        assertThat(handOff).isNotEqualTo(ListenOptions.defaults());
        assertThat(handOff.toString()).contains("ACCEPTOR_HANDS_OFF");
        assertThatThrownBy(() -> ListenOptions.defaults().withLoopSpread(null))
                .isInstanceOf(NullPointerException.class);
    }

    private static StandaloneTcpService twoLoops(String name) throws UvException {
        return StandaloneTcpService.start(new TcpServiceSettings(2, 64 * 1024,
                TestSupport.uniquePrefix(name)));
    }

    /** An echo handler that counts on which loop each connection was served. */
    private static dev.uvtcp.ConnectionHandler echoRecordingLoop(
            Map<Loop, AtomicInteger> acceptedOn) {
        return connection -> {
            acceptedOn.computeIfAbsent(connection.loop(), loop -> new AtomicInteger())
                    .incrementAndGet();
            try {
                connection.startReading(TestSupport.ECHO);
            } catch (UvException e) {
                connection.close();
            }
        };
    }

    private static void echoOverConnections(InetSocketAddress address, int count)
            throws Exception {
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(echoOnce(address, i));
            }
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    /** A new connection that has echoed one byte. */
    private static Socket echoOnce(InetSocketAddress address, int value) throws Exception {
        Socket socket = new Socket(address.getAddress(), address.getPort());
        socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(10));
        assertThat(TestSupport.echoesByte(socket, value)).as("echo of %d", value).isTrue();
        return socket;
    }
}
