package dev.uvtcp.service.whiteboard;

import static dev.uvtcp.runtime.TcpWhiteboardConstants.UVTCP_SERVER_ADDRESS;
import static dev.uvtcp.runtime.TcpWhiteboardConstants.UVTCP_SERVER_BACKLOG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.uvtcp.ConnectionHandler;
import dev.uvtcp.ReadHandler;
import dev.uvtcp.runtime.GraceListenerDTO;
import dev.uvtcp.runtime.ServerDTO;
import dev.uvtcp.service.LoopGroup;
import dev.uvtcp.service.TcpServiceSettings;
import dev.uvtcp.service.TestSupport;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A whiteboard listener outlives its server: after the server closes, connections wait (not
 * refused) and go to the next server of the same address; without one, the listener closes
 * at the end of the grace period and resets what waits. Container-free: the servers and the
 * grace period run on a worker thread as {@code TcpServerRuntimeComponent} runs them.
 */
class GraceListenersTest {

    private LoopGroup group;
    private ScheduledThreadPoolExecutor worker;
    private final AtomicInteger expiries = new AtomicInteger();
    private final List<Socket> clients = new ArrayList<>();
    private final List<WhiteboardServer> servers = new ArrayList<>();
    private GraceListeners grace;

    @BeforeEach
    void start() throws Exception {
        group = LoopGroup.start(TcpServiceSettings.defaults()
                .withThreadNamePrefix(TestSupport.uniquePrefix("grace")));
        worker = new ScheduledThreadPoolExecutor(1);
        grace = new GraceListeners(worker, 5000, expiries::incrementAndGet);
    }

    @AfterEach
    void stop() throws Exception {
        for (Socket client : clients) {
            client.close();
        }
        onWorker(() -> {
            servers.forEach(WhiteboardServer::close);
            grace.closeAll();
            return null;
        });
        worker.shutdownNow();
        group.close();
    }

    @Test
    void connectionsArrivingBetweenTwoHandlersWaitAndAreServedByTheNextHandler()
            throws Exception {
        int port = TestSupport.closedPort();
        WhiteboardServer first = bind(1, echo(false), port, null);
        Socket early = client(port);
        assertThat(roundTrip(early, "early")).isEqualTo("early");
        long listenerId = first.toDTO().handleId;

        closeOnWorker(first);
        // The old handler's connection is closed with its bundle's view ...
        assertThat(endOf(early)).isTrue();
        // ... but the address is not refused: new connections wait.
        Socket second = client(port);
        Socket third = client(port);
        second.getOutputStream().write("second".getBytes(StandardCharsets.US_ASCII));
        third.getOutputStream().write("third".getBytes(StandardCharsets.US_ASCII));
        assertThat(TestSupport.eventually(() -> held(port) == 2)).as("2 held, DTO: %s",
                describe(grace.toDTOs())).isTrue();
        GraceListenerDTO kept = grace.toDTOs()[0];
        assertThat(kept.localAddress).isEqualTo("127.0.0.1:" + port);
        assertThat(kept.handleId).isEqualTo(listenerId);
        assertThat(kept.serviceId).isEqualTo(1);
        assertThat(kept.remainingMillis).isBetween(1L, 5000L);

        WhiteboardServer next = bind(2, echo(true), port, null);
        // Upper case: the next handler served them, on the same listening socket.
        assertThat(read(second, 6)).isEqualTo("SECOND");
        assertThat(read(third, 5)).isEqualTo("THIRD");
        assertThat(next.toDTO().handleId).isEqualTo(listenerId);
        assertThat(next.toDTO().acceptedConnections).isEqualTo(2);
        assertThat(grace.toDTOs()).isEmpty();
        assertThat(roundTrip(client(port), "later")).isEqualTo("LATER");
        assertThat(expiries).hasValue(0);
    }

    @Test
    void withoutAHandlerWithinTheGracePeriodTheListenerClosesAndResetsWhatWaits()
            throws Exception {
        grace.setGracePeriodMillis(300);
        int port = TestSupport.closedPort();
        WhiteboardServer only = bind(1, echo(false), port, null);
        closeOnWorker(only);
        Socket waiting = client(port);
        waiting.getOutputStream().write('x');
        Socket queued = client(port);

        assertThatThrownBy(() -> waiting.getInputStream().read())
                .isInstanceOf(SocketException.class).hasMessageContaining("reset");
        assertThatThrownBy(() -> queued.getInputStream().read())
                .isInstanceOf(SocketException.class).hasMessageContaining("reset");
        assertThat(TestSupport.eventually(() -> expiries.get() == 1)).isTrue();
        assertThat(grace.toDTOs()).isEmpty();
        assertThatThrownBy(() -> client(port)).isInstanceOf(ConnectException.class);
    }

    @Test
    void aGracePeriodOfZeroClosesTheListenerWithItsServer() throws Exception {
        grace.setGracePeriodMillis(0);
        int port = TestSupport.closedPort();
        WhiteboardServer only = bind(1, echo(false), port, null);
        closeOnWorker(only);
        assertThatThrownBy(() -> client(port)).isInstanceOf(ConnectException.class);
        assertThat(grace.toDTOs()).isEmpty();
    }

    @Test
    void theNextHandlerTakesTheListenerOverWithItsOwnBacklog() throws Exception {
        int port = TestSupport.closedPort();
        WhiteboardServer first = bind(1, echo(false), port, null);
        assertThat(listenBacklog(port)).isEqualTo(128);
        closeOnWorker(first);
        assertThat(grace.toDTOs()).singleElement()
                .satisfies(kept -> assertThat(kept.backlog).isEqualTo(128));

        WhiteboardServer next = bind(2, echo(false), port, 7);

        ServerDTO dto = next.toDTO();
        assertThat(dto.backlog).isEqualTo(7);
        assertThat(listenBacklog(port)).as("the socket listens again with the new backlog")
                .isEqualTo(7);
        assertThat(roundTrip(client(port), "seven")).isEqualTo("seven");
    }

    @Test
    void aServerWaitingForTheAddressTakesTheListenerOverWhenItsServerGoes() throws Exception {
        int port = TestSupport.closedPort();
        WhiteboardServer first = bind(1, echo(false), port, null);
        WhiteboardServer waiting = bind(2, echo(true), port, null);
        assertThat(waiting.isFailed()).as("address in use").isTrue();

        onWorker(() -> {
            // What TcpServerRuntimeComponent does when a handler goes away.
            first.close();
            waiting.retryIfAddressWasInUse();
            return null;
        });

        assertThat(waiting.isFailed()).isFalse();
        assertThat(roundTrip(client(port), "taken")).isEqualTo("TAKEN");
        assertThat(grace.toDTOs()).isEmpty();
    }

    // ---------------------------------------------------------------- helpers

    private WhiteboardServer bind(long serviceId, ConnectionHandler handler, int port,
            Integer backlog) throws Exception {
        WhiteboardServer server = new WhiteboardServer(group, grace, serviceId, 10 + serviceId,
                "test.bundle" + serviceId, "1.0.0", handler);
        servers.add(server);
        Map<String, Object> properties = backlog == null
                ? Map.of(UVTCP_SERVER_ADDRESS, "127.0.0.1:" + port)
                : Map.of(UVTCP_SERVER_ADDRESS, "127.0.0.1:" + port, UVTCP_SERVER_BACKLOG, backlog);
        onWorker(() -> {
            server.bind(properties);
            return null;
        });
        return server;
    }

    /** As the runtime does when the server's service goes away. */
    private void closeOnWorker(WhiteboardServer server) throws Exception {
        onWorker(() -> {
            server.close();
            return null;
        });
    }

    private <T> T onWorker(Callable<T> work) throws Exception {
        return worker.submit(work).get(TestSupport.TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private int held(int port) {
        for (GraceListenerDTO dto : grace.toDTOs()) {
            if (dto.localAddress.equals("127.0.0.1:" + port)) {
                return dto.heldConnections;
            }
        }
        return -2;
    }

    private static String describe(GraceListenerDTO[] dtos) {
        StringBuilder text = new StringBuilder();
        for (GraceListenerDTO dto : dtos) {
            text.append(dto.localAddress).append(" held ").append(dto.heldConnections)
                    .append("; ");
        }
        return text.toString();
    }

    /** Echoes, in upper case if asked (to tell two handlers apart). */
    private static ConnectionHandler echo(boolean upper) {
        ReadHandler reader = (stream, data) -> {
            ByteBuffer reply = ByteBuffer.allocate(data.remaining());
            while (data.hasRemaining()) {
                byte b = data.get();
                reply.put(upper && b >= 'a' && b <= 'z' ? (byte) (b - 'a' + 'A') : b);
            }
            stream.write(reply.flip());
        };
        return connection -> connection.startReading(reader);
    }

    private Socket client(int port) throws IOException {
        Socket socket = TestSupport.plainClient(TestSupport.loopback(port));
        clients.add(socket);
        return socket;
    }

    private static String roundTrip(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        return read(socket, text.length());
    }

    private static String read(Socket socket, int length) throws IOException {
        return new String(TestSupport.readExactly(socket.getInputStream(), length),
                StandardCharsets.US_ASCII);
    }

    /** True once the connection ended, by EOF or reset. */
    private static boolean endOf(Socket socket) {
        try {
            InputStream in = socket.getInputStream();
            return in.read() == -1;
        } catch (IOException reset) {
            return true;
        }
    }

    /**
     * The backlog a socket listening on 127.0.0.1:port has, from the kernel: {@code ss}
     * (iproute2) shows it as the send queue of a listening socket ({@code /proc/net/tcp} does
     * not have it).
     */
    private static int listenBacklog(int port) throws Exception {
        Process ss;
        try {
            ss = new ProcessBuilder("ss", "-Hltn", "sport = :" + port).redirectErrorStream(true)
                    .start();
        } catch (IOException noSs) {
            Assumptions.abort("ss (iproute2) is not installed: " + noSs.getMessage());
            throw noSs;
        }
        try {
            String output = new String(ss.getInputStream().readAllBytes(),
                    StandardCharsets.US_ASCII);
            assertThat(ss.waitFor(TestSupport.TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
            for (String line : output.split("\n")) {
                String[] fields = line.trim().split("\\s+");
                // State Recv-Q Send-Q Local-Address:Port Peer-Address:Port
                if (fields.length > 3 && fields[0].equals("LISTEN")
                        && fields[3].equals("127.0.0.1:" + port)) {
                    return Integer.parseInt(fields[2]);
                }
            }
            throw new AssertionError("nothing listens on 127.0.0.1:" + port + ": " + output);
        } finally {
            ss.destroyForcibly();
        }
    }
}
