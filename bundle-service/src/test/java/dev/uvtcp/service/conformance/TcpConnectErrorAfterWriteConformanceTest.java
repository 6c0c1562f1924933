package dev.uvtcp.service.conformance;

import static dev.uvtcp.service.TestSupport.await;
import static dev.uvtcp.service.TestSupport.onLoopOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.Tcp;
import dev.uvtcp.service.TestSupport;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * libuv's {@code test/test-tcp-connect-error-after-write.c}: a write before any connect fails
 * (EBADF: no socket yet); a write made while a connect is pending is queued and, when the
 * connect fails, fails too; each callback is made once.
 */
class TcpConnectErrorAfterWriteConformanceTest extends ConformanceFixture {

    @Test
    void tcp_connect_error_after_write_writeBeforeConnectFailsItsStageWithEBADF_writeWhileConnectingFailsWithECANCELEDAfterTheConnectFailsWithECONNREFUSED()
            throws Exception {
        Tcp conn = service.newTcp();
        stageFailsWith("EBADF", conn.write(TestSupport.ascii("TEST")));
        stageFailsWith("EBADF", conn.write(TestSupport.directAscii("TEST")));

        int port = TestSupport.closedPort();
        List<CompletionStage<Void>> stages = onLoopOf(conn, () -> List.of(
                conn.connect(TestSupport.loopback(port)), conn.write(TestSupport.ascii("TEST"))));
        stageFailsWith("ECONNREFUSED", stages.get(0));
        stageFailsWith("ECANCELED", stages.get(1));
        assertThat(conn.isClosed()).as("libuv leaves closing to the user").isFalse();
        conn.close();
        await(conn.closeFuture());
    }
}
