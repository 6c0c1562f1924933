package dev.uvtcp.service.conformance;

import static dev.uvtcp.service.TestSupport.await;
import static dev.uvtcp.service.TestSupport.onLoopOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.Tcp;
import dev.uvtcp.service.TestSupport;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * libuv's {@code test/test-tcp-read-stop.c}: after {@code uv_read_stop} no read callback is
 * made, and a write made just before it completes.
 */
class TcpReadStopConformanceTest extends ConformanceFixture {

    @Test
    void tcp_read_stop_noReadCallbackAfterStopReading_theWriteCompletes_theDataWaitsForTheNextReader()
            throws Exception {
        TestSupport.Connection c = TestSupport.connection(service);
        TestSupport.Collector peer = new TestSupport.Collector();
        c.accepted().startReading(peer);
        Tcp tcp = c.client();
        AtomicInteger stoppedReaderCalls = new AtomicInteger();
        tcp.startReading((s, data) -> stoppedReaderCalls.incrementAndGet());
        CompletionStage<Void> write = onLoopOf(tcp, () -> {
            CompletionStage<Void> stage = tcp.write(TestSupport.ascii("PING"));
            tcp.stopReading();
            return stage;
        });
        await(write);
        assertThat(peer.takeString(4)).isEqualTo("PING");
        await(c.accepted().write(TestSupport.ascii("PONG")));
        assertThat(tcp.isActive()).as("not reading, nothing pending").isFalse();

        TestSupport.Collector next = new TestSupport.Collector();
        tcp.startReading(next);
        assertThat(next.takeString(4)).isEqualTo("PONG");
        assertThat(stoppedReaderCalls).as("calls to the stopped reader").hasValue(0);
    }

    @Test
    void tcp_read_stop_startReadingOnAHandleNeverConnectedThrowsENOTCONNAtTheCall()
            throws Exception {
        Tcp fresh = service.newTcp();
        thrownAtTheCall("ENOTCONN", () -> fresh.startReading((s, d) -> { }));
        Tcp bound = service.newTcp();
        bound.bind(TestSupport.loopback(0));
        thrownAtTheCall("ENOTCONN", () -> bound.startReading((s, d) -> { }));
        assertThat(fresh.isReadable()).isFalse();
        assertThat(bound.isReadable()).isFalse();
        assertThat(bound.isWritable()).isFalse();
    }
}
