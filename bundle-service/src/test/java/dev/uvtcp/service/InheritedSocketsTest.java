package dev.uvtcp.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.uvtcp.ListenOptions;
import dev.uvtcp.Tcp;
import dev.uvtcp.jni.UvNative;
import dev.uvtcp.service.InheritedSockets.InheritedSocket;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading systemd's socket hand-over, and serving a handed-over socket. */
class InheritedSocketsTest {

    private static final long PID = 4242;

    @Test
    void socketsAreDescriptorsFromThreeOnNamedByListenFdNames() {
        InheritedSockets sockets = InheritedSockets.parse(Map.of("LISTEN_PID", "4242",
                "LISTEN_FDS", "3", "LISTEN_FDNAMES", "web:admin:web"), PID);
        assertThat(sockets.sockets()).containsExactly(new InheritedSocket(3, "web"),
                new InheritedSocket(4, "admin"), new InheritedSocket(5, "web"));
        assertThat(sockets.find("web")).contains(new InheritedSocket(3, "web"));
        assertThat(sockets.find("admin")).contains(new InheritedSocket(4, "admin"));
        assertThat(sockets.find("5")).as("a descriptor number").contains(
                new InheritedSocket(5, "web"));
        assertThat(sockets.find("6")).isEmpty();
        assertThat(sockets.find("other")).isEmpty();
    }

    @Test
    void aHandOverForAnotherProcessOrAMalformedOneHandsOverNothing() {
        for (Map<String, String> environment : List.of(
                Map.<String, String>of(),
                Map.of("LISTEN_FDS", "1"),
                Map.of("LISTEN_PID", "4242"),
                Map.of("LISTEN_PID", "4241", "LISTEN_FDS", "1"),
                Map.of("LISTEN_PID", "x", "LISTEN_FDS", "1"),
                Map.of("LISTEN_PID", "4242", "LISTEN_FDS", "-1"),
                Map.of("LISTEN_PID", "4242", "LISTEN_FDS", "1000000"),
                Map.of("LISTEN_PID", "4242", "LISTEN_FDS", "0"))) {
            assertThat(InheritedSockets.parse(environment, PID).sockets()).as("%s", environment)
                    .isEmpty();
        }
        assertThat(InheritedSockets.parse(Map.of(), PID).toString()).contains("LISTEN_PID");
    }

    @Test
    void withoutNamesOrWithTheWrongNumberOfNamesEverySocketIsUnknown() {
        assertThat(InheritedSockets.parse(Map.of("LISTEN_PID", "4242", "LISTEN_FDS", "2"), PID)
                .sockets()).extracting(InheritedSocket::name).containsExactly("unknown",
                        "unknown");
        assertThat(InheritedSockets.parse(Map.of("LISTEN_PID", "4242", "LISTEN_FDS", "2",
                "LISTEN_FDNAMES", "only-one"), PID).sockets())
                .extracting(InheritedSocket::name).containsExactly("unknown", "unknown");
        assertThatThrownBy(() -> new InheritedSocket(2, "stderr"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 or more");
    }

    @Test
    void theTestJvmWasHandedNothing() {
        // Surefire's JVM has no LISTEN_PID of its own: nothing to adopt by accident.
        assertThat(InheritedSockets.fromEnvironment().sockets()).isEmpty();
    }

    /**
     * A listening socket that outlives its listeners, as one held by a service manager does:
     * a connection made while nobody serves it waits, and the next listener on the socket
     * answers it; only closing the original descriptor refuses connections.
     */
    @Test
    void aListenerOnAnInheritedSocketServesConnectionsThatArrivedBeforeIt() throws Exception {
        try (StandaloneTcpService service = TestSupport.startService("inherit")) {
            int fd = UvNative.socketNew(UvNative.DOMAIN_INET);
            assertThat(fd).isGreaterThanOrEqualTo(InheritedSockets.FIRST_FD);
            boolean fdClosed = false;
            try {
                int port = TestSupport.listeningSocket(service, fd);
                InheritedSockets inherited = InheritedSockets.of(
                        List.of(new InheritedSocket(fd, "echo")));
                assertThat(inherited.matching(TestSupport.loopback(port), service))
                        .contains(new InheritedSocket(fd, "echo"));
                assertThat(inherited.matching(TestSupport.loopback(port + 1), service))
                        .isEmpty();

                for (int round = 1; round <= 3; round++) {
                    try (Socket early = new Socket(TestSupport.LOOPBACK, port)) {
                        early.setSoTimeout(10_000);
                        String message = "waited " + round;
                        early.getOutputStream().write(message.getBytes(StandardCharsets.UTF_8));
                        Tcp listener = service.listenInherited(fd,
                                ListenOptions.defaults().withBacklog(8),
                                connection -> connection.startReading(TestSupport.ECHO));
                        assertThat(listener.fileno()).as("a duplicate").isNotEqualTo(fd);
                        assertThat(listener.localAddress().getPort()).isEqualTo(port);
                        assertThat(read(early.getInputStream(), message.length()))
                                .isEqualTo(message);
                        listener.close();
                        TestSupport.await(listener.closeFuture());
                    }
                }
                assertThat(UvNative.socketClose(fd)).isZero();
                fdClosed = true;
                assertThatThrownBy(() -> new Socket(TestSupport.LOOPBACK, port).close())
                        .as("refused once the original descriptor is closed")
                        .isInstanceOf(ConnectException.class);
            } finally {
                if (!fdClosed) {
                    UvNative.socketClose(fd);
                }
            }
        }
    }

    @Test
    void withAListenerPerLoopEveryLoopAdoptsItsOwnDuplicateAndClosingTheFirstClosesThemAll()
            throws Exception {
        try (StandaloneTcpService service = StandaloneTcpService.start(
                TcpServiceSettings.defaults().withLoops(2)
                        .withThreadNamePrefix(TestSupport.uniquePrefix("inherit2")))) {
            int fd = UvNative.socketNew(UvNative.DOMAIN_INET);
            try {
                int port = TestSupport.listeningSocket(service, fd);
                Tcp listener = service.listenInherited(fd, ListenOptions.defaults()
                        .withLoopSpread(dev.uvtcp.LoopSpread.LISTENER_PER_LOOP),
                        connection -> connection.startReading(TestSupport.ECHO));
                assertThat(service.handles()).as("one listener per loop").hasSize(2);
                for (int i = 0; i < 20; i++) {
                    try (Socket client = new Socket(TestSupport.LOOPBACK, port)) {
                        client.setSoTimeout(10_000);
                        String message = "per loop " + i;
                        client.getOutputStream().write(message.getBytes(StandardCharsets.UTF_8));
                        assertThat(read(client.getInputStream(), message.length()))
                                .isEqualTo(message);
                    }
                }
                listener.close();
                assertThat(TestSupport.eventually(() -> service.handles().isEmpty()))
                        .as("every loop's listener closed with the first").isTrue();
            } finally {
                UvNative.socketClose(fd);
            }
        }
    }

    private static String read(InputStream in, int length) throws Exception {
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
}
