package dev.uvtcp.service.conformance;

import static dev.uvtcp.service.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.Tcp;
import dev.uvtcp.service.TestSupport;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * libuv's {@code test/test-tcp-shutdown-after-write.c}: a shutdown requested right after a
 * write waits for it; both complete, the peer reads the bytes and then EOF.
 */
class TcpShutdownAfterWriteConformanceTest extends ConformanceFixture {

    @Test
    void tcp_shutdown_after_write_writeAndShutdownBothComplete_peerReadsTheBytesThenEOF()
            throws Exception {
        TestSupport.Connection c = TestSupport.connection(service);
        TestSupport.Collector peer = new TestSupport.Collector();
        c.accepted().startReading(peer);
        List<CompletionStage<Void>> stages = TestSupport.onLoopOf(c.client(),
                () -> List.of(c.client().write(TestSupport.ascii("TEST")), c.client().shutdown()));
        await(stages.get(0));
        await(stages.get(1));
        assertThat(peer.takeString(4)).isEqualTo("TEST");
        await(peer.end);
        Tcp client = c.client();
        client.close();
        await(client.closeFuture());
    }
}
