package dev.uvtcp.service;

import static dev.uvtcp.service.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.uvtcp.ConnectionHandler;
import dev.uvtcp.ListenOptions;
import dev.uvtcp.Tcp;
import dev.uvtcp.UvException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The limits of {@link ListenOptions}: maximum connections, idle timeout, write queue. */
class ListenerLimitsTest {

    private StandaloneTcpService service;
    private final BlockingQueue<UvException> acceptErrors = new LinkedBlockingQueue<>();
    private final BlockingQueue<Tcp> accepted = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() throws Exception {
        service = TestSupport.startService("limits");
    }

    @AfterEach
    void stop() {
        service.close();
    }

    /** Echoes every connection, and records accepted connections and accept errors. */
    private final ConnectionHandler echoing = new ConnectionHandler() {
        @Override
        public void onConnection(Tcp connection) {
            accepted.add(connection);
            try {
                connection.startReading(TestSupport.ECHO);
            } catch (UvException e) {
                connection.close();
            }
        }

        @Override
        public void onAcceptError(Tcp server, UvException error) {
            acceptErrors.add(error);
        }
    };

    private static boolean echoes(Socket s) {
        try {
            s.getOutputStream().write('e');
            return s.getInputStream().read() == 'e';
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void connectionsBeyondMaxConnectionsAreResetAndReported() throws Exception {
        Tcp server = service.listen(TestSupport.loopback(0),
                ListenOptions.defaults().withMaxConnections(3), echoing);
        List<Socket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                Socket s = TestSupport.plainClient(server.localAddress());
                clients.add(s);
                assertThat(echoes(s)).as("connection %d within the limit", i).isTrue();
            }
            boolean fourthServed;
            try (Socket fourth = TestSupport.plainClient(server.localAddress())) {
                fourthServed = echoes(fourth);
            } catch (IOException resetWhileConnecting) {
                fourthServed = false; // the reset can beat the client's own set-up calls
            }
            assertThat(fourthServed).as("the fourth connection is reset").isFalse();
            UvException error = acceptErrors.poll(TestSupport.TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertThat(error).isNotNull();
            assertThat(error.errorName()).isEqualTo("ECONNABORTED");
            assertThat(error.getMessage()).contains("3 connections are open");
            assertThat(accepted).hasSize(3);
            // One leaves: there is room again.
            clients.remove(0).close();
            Tcp first = accepted.take();
            await(first.closeFuture());
            try (Socket again = TestSupport.plainClient(server.localAddress())) {
                assertThat(echoes(again)).isTrue();
            }
            assertThat(acceptErrors).isEmpty();
        } finally {
            for (Socket s : clients) {
                s.close();
            }
        }
    }

    @Test
    void idleConnectionsAreClosedAndBusyOnesAreNot() throws Exception {
        long timeoutMs = 300;
        Tcp server = service.listen(TestSupport.loopback(0),
                ListenOptions.defaults().withIdleTimeout(Duration.ofMillis(timeoutMs)), echoing);
        try (Socket idle = TestSupport.plainClient(server.localAddress());
                Socket busy = TestSupport.plainClient(server.localAddress())) {
            long start = System.nanoTime();
            long lastEcho = start;
            // The busy one talks every 100 ms for 1.2 s, four times the idle timeout.
            for (int i = 0; i < 12; i++) {
                assertThat(echoes(busy)).as("busy connection, round %d", i).isTrue();
                lastEcho = System.nanoTime();
                TestSupport.sleep(100);
            }
            InputStream in = idle.getInputStream();
            assertThat(readEndOrNull(in)).as("the idle connection was closed").isEqualTo(-1);
            long idleClosedAfterMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(idleClosedAfterMs).isGreaterThanOrEqualTo(timeoutMs);
            // The busy one went quiet after its last echo: it is closed too, about one timeout
            // later (measured from the echo, not from a sleep that a busy machine stretches).
            assertThat(readEndOrNull(busy.getInputStream())).isEqualTo(-1);
            long busyClosedAfterMs = (System.nanoTime() - lastEcho) / 1_000_000;
            assertThat(busyClosedAfterMs).isBetween(timeoutMs - 10, timeoutMs + 2000);
            Figures.report("ListenerLimitsTest: idle timeout %d ms: idle connection closed "
                    + "(measured with a 1.2 s busy phase first), quiet busy one after %d ms",
                    timeoutMs,
                    busyClosedAfterMs);
        }
        assertThat(TestSupport.eventually(() -> service.handles().size() == 1)).isTrue();
    }

    private static int readEndOrNull(InputStream in) throws IOException {
        try {
            return in.read();
        } catch (SocketTimeoutException e) {
            return -2;
        } catch (IOException reset) {
            return -1;
        }
    }

    @Test
    void acceptedConnectionsGetTheListenersWriteQueueLimit() throws Exception {
        Tcp server = service.listen(TestSupport.loopback(0),
                ListenOptions.defaults().withMaxWriteQueueBytes(256 * 1024), echoing);
        try (Socket neverReads = new Socket()) {
            neverReads.setReceiveBufferSize(16 * 1024);
            neverReads.connect(server.localAddress(), 5000);
            Tcp connection = accepted.poll(TestSupport.TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertThat(connection).isNotNull();
            assertThat(connection.maxWriteQueueSize()).isEqualTo(256 * 1024);
            UvException refused = null;
            for (int i = 0; i < 200 && refused == null; i++) {
                CompletableFuture<Void> w = connection.write(ByteBuffer.allocate(32 * 1024))
                        .toCompletableFuture();
                if (w.isCompletedExceptionally()) {
                    refused = (UvException) TestSupport.failureOf(w);
                }
            }
            assertThat(refused).isNotNull();
            assertThat(refused.errorName()).isEqualTo("ENOBUFS");
            assertThat(connection.writeQueueSize()).isLessThanOrEqualTo(256 * 1024);
        }
        // Other handles keep the service default.
        assertThat(server.maxWriteQueueSize())
                .isEqualTo(TcpServiceSettings.DEFAULT_MAX_WRITE_QUEUE_BYTES);
    }

    @Test
    void optionsAreCheckedAndDefaultToNoLimits() {
        ListenOptions d = ListenOptions.defaults();
        assertThat(d.backlog()).isEqualTo(128);
        assertThat(d.maxConnections()).isEqualTo(Integer.MAX_VALUE);
        assertThat(d.idleTimeout()).isEqualTo(Duration.ZERO);
        assertThat(d.maxWriteQueueBytes()).isZero();
        assertThatThrownBy(() -> d.withBacklog(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.withMaxConnections(0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.withIdleTimeout(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.withIdleTimeout(Duration.ofNanos(10)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.withIdleTimeout(null))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> d.withMaxWriteQueueBytes(0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(d.withMaxConnections(5).withBacklog(7)).isEqualTo(
                ListenOptions.defaults().withBacklog(7).withMaxConnections(5));
        assertThatThrownBy(() -> service.listen(TestSupport.loopback(0), (ListenOptions) null,
                echoing)).isInstanceOf(NullPointerException.class);
        assertThat(service.handles()).isEmpty();
    }
}
