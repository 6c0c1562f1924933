package dev.uvtcp.service.whiteboard;

import static dev.uvtcp.runtime.TcpWhiteboardConstants.FAILURE_REASON_INVALID_ADDRESS;
import static dev.uvtcp.runtime.TcpWhiteboardConstants.UVTCP_SERVER_ADDRESS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.ConnectionHandler;
import dev.uvtcp.jni.UvNative;
import dev.uvtcp.runtime.FailedServerDTO;
import dev.uvtcp.runtime.ServerDTO;
import dev.uvtcp.service.InheritedSockets.InheritedSocket;
import dev.uvtcp.service.InheritedSockets;
import dev.uvtcp.service.LoopGroup;
import dev.uvtcp.service.StandaloneTcpService;
import dev.uvtcp.service.TcpServiceSettings;
import dev.uvtcp.service.TestSupport;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.junit.jupiter.api.Test;

/**
 * Whiteboard servers on sockets handed over by a service manager: {@code fd:NAME} serves the
 * named one, an address equal to an inherited socket's serves that socket instead of binding
 * (which would fail: the port is taken by the inherited socket itself). Such a listener is not
 * kept in the grace period: the inherited socket itself holds what arrives meanwhile.
 */
class WhiteboardInheritedSocketTest {

    private static final ConnectionHandler ECHO =
            connection -> connection.startReading(TestSupport.ECHO);

    @Test
    void fdNameAndAMatchingAddressServeTheInheritedSocketAndAnUnknownNameIsAnInvalidAddress()
            throws Exception {
        LoopGroup group = LoopGroup.start(TcpServiceSettings.defaults()
                .withThreadNamePrefix(TestSupport.uniquePrefix("wbfd")));
        int fd = UvNative.socketNew(UvNative.DOMAIN_INET);
        ScheduledThreadPoolExecutor worker = new ScheduledThreadPoolExecutor(1);
        GraceListeners grace = new GraceListeners(worker, 60_000, () -> { });
        try (StandaloneTcpService maker = TestSupport.startService("wbfd-maker")) {
            int port = TestSupport.listeningSocket(maker, fd);
            InheritedSockets inherited = InheritedSockets.of(
                    List.of(new InheritedSocket(fd, "echo")));
            String address = "127.0.0.1:" + port;
            for (String configured : List.of("fd:echo", "fd:" + fd, address)) {
                try (Socket early = new Socket(TestSupport.LOOPBACK, port)) {
                    // Connected before the server exists: waits in the inherited socket.
                    early.setSoTimeout(10_000);
                    early.getOutputStream().write(configured.getBytes(StandardCharsets.UTF_8));
                    WhiteboardServer server = new WhiteboardServer(group, grace, 1, -1, "test",
                            "0", ECHO, inherited);
                    try {
                        server.bind(Map.of(UVTCP_SERVER_ADDRESS, configured));
                        ServerDTO dto = server.toDTO();
                        assertThat(dto).as(configured).isNotInstanceOf(FailedServerDTO.class);
                        assertThat(dto.address).isEqualTo(configured);
                        assertThat(dto.localAddress).isEqualTo(address);
                        assertThat(new String(early.getInputStream().readNBytes(
                                configured.length()), StandardCharsets.UTF_8))
                                .isEqualTo(configured);
                    } finally {
                        server.close();
                    }
                    assertThat(grace.toDTOs()).as("kept in the grace period").isEmpty();
                }
            }

            WhiteboardServer unknown = new WhiteboardServer(group, grace, 2, -1, "test", "0",
                    ECHO, inherited);
            unknown.bind(Map.of(UVTCP_SERVER_ADDRESS, "fd:admin"));
            FailedServerDTO failed = (FailedServerDTO) unknown.toDTO();
            assertThat(failed.failureReason).isEqualTo(FAILURE_REASON_INVALID_ADDRESS);
            assertThat(failed.failureMessage).contains("no socket named \"admin\"")
                    .contains("fd " + fd + " (echo)");
            unknown.close();

            WhiteboardServer none = new WhiteboardServer(group, grace, 3, -1, "test", "0",
                    ECHO, InheritedSockets.of(List.of()));
            none.bind(Map.of(UVTCP_SERVER_ADDRESS, "fd:"));
            assertThat(((FailedServerDTO) none.toDTO()).failureReason)
                    .isEqualTo(FAILURE_REASON_INVALID_ADDRESS);
            none.bind(Map.of(UVTCP_SERVER_ADDRESS, "fd:echo"));
            assertThat(((FailedServerDTO) none.toDTO()).failureMessage)
                    .contains("LISTEN_PID and LISTEN_FDS hand no socket to this process");
            none.close();
        } finally {
            worker.shutdownNow();
            UvNative.socketClose(fd);
            group.close();
        }
    }

}
