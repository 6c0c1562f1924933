package dev.uvtcp.cdi;

import static dev.uvtcp.testsupport.Sockets.roundTrip;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.uvtcp.ConnectionHandler;
import dev.uvtcp.Tcp;
import dev.uvtcp.TcpService;
import dev.uvtcp.UvException;
import dev.uvtcp.runtime.FailedServerDTO;
import dev.uvtcp.runtime.RuntimeDTO;
import dev.uvtcp.runtime.TcpServerRuntime;
import dev.uvtcp.runtime.TcpWhiteboardConstants;
import dev.uvtcp.service.TcpServiceSettings;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.RequestScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The CDI integration in a real CDI container (Weld SE, the CDI implementation inside
 * Payara), with real sockets on loopback: the application's {@code TcpService}, the
 * {@code @TcpServer} beans, their failures, the settings producer and what stopping the
 * container leaves behind.
 */
class CdiIntegrationTest {

    /** Loop threads of every container started here are named with this prefix. */
    private static final String PREFIX = "cdi-test-loop-";

    private WeldContainer container;

    @AfterEach
    void stopContainer() {
        if (container != null && container.isRunning()) {
            container.shutdown();
        }
        System.clearProperty("echo/" + TcpWhiteboardConstants.UVTCP_SERVER_ADDRESS);
        System.clearProperty("busy/" + TcpWhiteboardConstants.UVTCP_SERVER_ADDRESS);
    }

    private WeldContainer start(Class<?>... beans) {
        container = new Weld("cdi-test-" + System.nanoTime()).disableDiscovery()
                .addExtension(new UvtcpExtension())
                .addBeanClasses(UvtcpRuntime.class, DefaultSettings.class)
                .addBeanClasses(beans)
                .initialize();
        return container;
    }

    @Test
    void injectedTcpServiceEchoesAndStoppingTheContainerClosesItsPortAndJoinsItsLoops()
            throws Exception {
        start(Settings.class);
        TcpService tcp = container.select(TcpService.class).get();
        Tcp server = tcp.listen("127.0.0.1", 0, 16, connection ->
                connection.startReading((stream, data) -> stream.write(data)));
        int port = server.localAddress().getPort();
        assertThat(roundTrip(port, "hello cdi")).isEqualTo("hello cdi");
        assertThat(loopThreads()).isEqualTo(2);

        container.shutdown();

        assertThat(loopThreads()).isZero();
        assertThat(refuses(port)).isTrue();
        assertThat(server.isClosed()).isTrue();
    }

    @Test
    void tcpServerBeanIsServedAtTheConfiguredAddressAndListedInTheRuntime() throws Exception {
        int port = freePort();
        System.setProperty("echo/" + TcpWhiteboardConstants.UVTCP_SERVER_ADDRESS,
                "127.0.0.1:" + port);
        start(Echo.class, Settings.class);

        assertThat(roundTrip(port, "whiteboard")).isEqualTo("whiteboard");
        RuntimeDTO runtime = container.select(TcpServerRuntime.class).get().getRuntimeDTO();
        assertThat(runtime.failedServers).isEmpty();
        assertThat(runtime.servers).singleElement().satisfies(server -> {
            assertThat(server.address).isEqualTo("127.0.0.1:" + port);
            assertThat(server.localAddress).isEqualTo("127.0.0.1:" + port);
            assertThat(server.bundleId).isEqualTo(-1);
            assertThat(server.bundleSymbolicName).contains(Echo.class.getName());
            assertThat(server.acceptedConnections).isEqualTo(1);
        });
        assertThat(runtime.loops).hasSize(2);
        assertThat(Arrays.stream(runtime.handles).map(handle -> handle.state))
                .contains("listening");

        container.shutdown();
        assertThat(refuses(port)).isTrue();
        assertThat(loopThreads()).isZero();
    }

    @Test
    void serverWhoseAddressIsInUseIsListedAsFailedAndTheOthersServe() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int echoPort = freePort();
            System.setProperty("echo/" + TcpWhiteboardConstants.UVTCP_SERVER_ADDRESS,
                    "127.0.0.1:" + echoPort);
            System.setProperty("busy/" + TcpWhiteboardConstants.UVTCP_SERVER_ADDRESS,
                    "127.0.0.1:" + taken.getLocalPort());
            start(Echo.class, Busy.class, Settings.class);

            assertThat(roundTrip(echoPort, "still serving")).isEqualTo("still serving");
            RuntimeDTO runtime = container.select(TcpServerRuntime.class).get()
                    .getRuntimeDTO();
            assertThat(runtime.servers).hasSize(1);
            FailedServerDTO failed = runtime.failedServers[0];
            assertThat(runtime.failedServers).hasSize(1);
            assertThat(failed.failureReason)
                    .isEqualTo(TcpWhiteboardConstants.FAILURE_REASON_ADDRESS_IN_USE);
            assertThat(failed.errorName).isEqualTo("EADDRINUSE");
            assertThat(failed.bundleSymbolicName).contains(Busy.class.getName());
        }
    }

    @Test
    void invalidAnnotatedAddressIsReportedAsTheWhiteboardReportsIt() {
        start(BadAddress.class, Settings.class);
        RuntimeDTO runtime = container.select(TcpServerRuntime.class).get().getRuntimeDTO();
        assertThat(runtime.servers).isEmpty();
        assertThat(runtime.failedServers).singleElement().satisfies(failed -> {
            assertThat(failed.failureReason)
                    .isEqualTo(TcpWhiteboardConstants.FAILURE_REASON_INVALID_ADDRESS);
            assertThat(failed.failureMessage).contains("127.0.0.1:70000");
        });
    }

    @Test
    void requestScopedTcpServerIsADeploymentError() {
        assertThatThrownBy(() -> start(RequestScopedServer.class))
                .hasStackTraceContaining("must be @ApplicationScoped");
    }

    @Test
    void withoutUseNoLoopStartsAndTheRuntimeIsEmpty() {
        start(Settings.class);
        RuntimeDTO runtime = container.select(TcpServerRuntime.class).get().getRuntimeDTO();
        assertThat(runtime.loops).isEmpty();
        assertThat(loopThreads()).isZero();
    }

    @Test
    void defaultSettingsReadTheConfigurationAndNameABadValue() {
        System.setProperty("dev.uvtcp.loops", "3");
        System.setProperty("dev.uvtcp.threadNamePrefix", "configured-");
        try {
            TcpServiceSettings settings = new DefaultSettings().settings();
            assertThat(settings.loops()).isEqualTo(3);
            assertThat(settings.threadNamePrefix()).isEqualTo("configured-");
            System.setProperty("dev.uvtcp.loops", "two");
            assertThatThrownBy(() -> new DefaultSettings().settings())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("loops must be a number, was \"two\"");
            System.setProperty("dev.uvtcp.loops", "0");
            assertThatThrownBy(() -> new DefaultSettings().settings())
                    .hasMessageContaining("loops must be 1..256, was 0");
        } finally {
            System.clearProperty("dev.uvtcp.loops");
            System.clearProperty("dev.uvtcp.threadNamePrefix");
        }
    }

    // ------------------------------------------------------------------ beans

    /** The application's settings producer, replacing {@link DefaultSettings}. */
    @ApplicationScoped
    @Alternative
    @Priority(1)
    static class Settings {
        @Produces
        @Alternative
        TcpServiceSettings settings() {
            return TcpServiceSettings.defaults().withLoops(2).withThreadNamePrefix(PREFIX);
        }
    }

    @ApplicationScoped
    @TcpServer(name = "echo", address = "127.0.0.1:1", noDelay = true)
    static class Echo implements ConnectionHandler {
        @Override
        public void onConnection(Tcp connection) throws UvException {
            connection.startReading((stream, data) -> stream.write(data));
        }
    }

    @ApplicationScoped
    @TcpServer(name = "busy", address = "127.0.0.1:1")
    static class Busy extends Echo {
    }

    @ApplicationScoped
    @TcpServer(address = "127.0.0.1:70000")
    static class BadAddress extends Echo {
    }

    @RequestScoped
    @TcpServer(address = "127.0.0.1:0")
    static class RequestScopedServer extends Echo {
    }

    // ------------------------------------------------------------------ helpers

    private static long loopThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().startsWith(PREFIX) && thread.isAlive())
                .count();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static boolean refuses(int port) {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return false;
        } catch (ConnectException refused) {
            return true;
        } catch (IOException other) {
            return false;
        }
    }
}
