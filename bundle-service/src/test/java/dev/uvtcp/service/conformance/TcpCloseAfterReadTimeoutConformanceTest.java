package dev.uvtcp.service.conformance;

import static dev.uvtcp.service.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.Tcp;
import dev.uvtcp.service.TestSupport;
import org.junit.jupiter.api.Test;

/**
 * libuv's {@code test/test-tcp-close-after-read-timeout.c}: a client reading a connection on
 * which nothing arrives stops reading and closes; its read callback is never made, the
 * server's read gets EOF.
 */
class TcpCloseAfterReadTimeoutConformanceTest extends ConformanceFixture {

    @Test
    void tcp_close_after_read_timeout_noReadCallbackForTheClosingClient_theServerReadsEOF()
            throws Exception {
        TestSupport.Connection c = TestSupport.connection(service);
        TestSupport.Collector server = new TestSupport.Collector();
        c.accepted().startReading(server);
        TestSupport.Collector client = new TestSupport.Collector();
        Tcp tcp = c.client();
        tcp.startReading(client);
        TestSupport.onLoopOf(tcp, () -> null); // a round trip: nothing arrived meanwhile
        tcp.stopReading();
        tcp.close();
        await(server.end);
        await(tcp.closeFuture());
        assertThat(client.readCalls).hasValue(0);
        assertThat(client.end).isNotDone();
    }
}
