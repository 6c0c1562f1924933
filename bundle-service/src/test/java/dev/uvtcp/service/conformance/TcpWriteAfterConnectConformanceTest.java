package dev.uvtcp.service.conformance;

import static dev.uvtcp.service.TestSupport.onLoopOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.Tcp;
import dev.uvtcp.service.TestSupport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * libuv's {@code test/test-tcp-write-after-connect.c}: a write made right after a connect
 * that is refused fails with ECANCELED, after the connect's ECONNREFUSED.
 */
class TcpWriteAfterConnectConformanceTest extends ConformanceFixture {

    @Test
    void tcp_write_after_connect_connectStageFailsWithECONNREFUSEDThenTheWriteStageWithECANCELED()
            throws Exception {
        Tcp client = service.newTcp();
        int port = TestSupport.closedPort();
        List<String> order = new CopyOnWriteArrayList<>();
        List<CompletionStage<Void>> stages = onLoopOf(client, () -> {
            List<CompletionStage<Void>> made = new ArrayList<>();
            made.add(client.connect(TestSupport.loopback(port))
                    .whenComplete((ok, e) -> order.add("connect")));
            made.add(client.write(TestSupport.directAscii("HELL"))
                    .whenComplete((ok, e) -> order.add("write")));
            return made;
        });
        stageFailsWith("ECONNREFUSED", stages.get(0));
        stageFailsWith("ECANCELED", stages.get(1));
        assertThat(order).containsExactly("connect", "write");
    }
}
