package dev.uvtcp.service.conformance;

import static dev.uvtcp.service.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.Tcp;
import dev.uvtcp.service.TestSupport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.assertj.core.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * libuv's {@code test/test-tcp-connect-timeout.c}. {@code tcp_connect_timeout} connects to
 * 8.8.8.8, which never answers; here a loopback listener with a full accept queue stands in
 * for it (Linux drops the SYNs), as the project's tests stay on loopback.
 */
class TcpConnectTimeoutConformanceTest extends ConformanceFixture {

    @Test
    void tcp_connect_timeout_closingWhileAConnectGetsNoAnswerFailsTheStageWithECANCELED()
            throws Exception {
        List<Socket> fillers = new ArrayList<>();
        try (ServerSocket full = new ServerSocket(0, 1, TestSupport.LOOPBACK)) {
            InetSocketAddress address = (InetSocketAddress) full.getLocalSocketAddress();
            TestSupport.fillAcceptQueue(address, fillers);
            Tcp conn = service.newTcp();
            CompletionStage<Void> connect = conn.connect(address);
            assertThat(conn.loop().isAlive()).as("the pending connect keeps the loop alive")
                    .isTrue();
            conn.close();
            stageFailsWith("ECANCELED", connect);
            await(conn.closeFuture());
        } finally {
            for (Socket s : fillers) {
                s.close();
            }
        }
    }

    @Test
    void tcp_local_connect_timeout_aClosedLocalPortFailsTheStageWithECONNREFUSEDNotECANCELED()
            throws Exception {
        Tcp conn = service.newTcp();
        long start = System.nanoTime();
        stageFailsWith("ECONNREFUSED", conn.connect(TestSupport.loopback(TestSupport.closedPort())));
        assertThat((System.nanoTime() - start) / 1_000_000).as("ms until refused").isLessThan(1000);
    }

    @Test
    void tcp6_local_connect_timeout_aClosedIpv6LocalPortFailsTheStageWithECONNREFUSED()
            throws Exception {
        Assumptions.assumeThat(TestSupport.ipv6LoopbackAvailable()).as("::1 usable").isTrue();
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            port = probe.getLocalPort();
        }
        Tcp conn = service.newTcp();
        stageFailsWith("ECONNREFUSED",
                conn.connect(new InetSocketAddress(InetAddress.getByName("::1"), port)));
    }
}
