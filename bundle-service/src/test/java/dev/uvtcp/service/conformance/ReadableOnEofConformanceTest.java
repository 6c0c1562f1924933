package dev.uvtcp.service.conformance;

import static dev.uvtcp.service.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.service.TestSupport;
import org.junit.jupiter.api.Test;

/**
 * libuv's {@code test/test-readable-on-eof.c}: after EOF a stream is still writable, and
 * reading may start again (it gets EOF again). libuv 1.44 also keeps {@code uv_is_readable}
 * true after EOF; uvtcp's {@code isReadable()} answers false (documented on
 * {@code Stream.isReadable}).
 */
class ReadableOnEofConformanceTest extends ConformanceFixture {

    @Test
    void readable_on_eof_afterEOFIsWritableStaysTrue_isReadableIsFalse_readingAgainGetsEOFAgain()
            throws Exception {
        TestSupport.Connection c = TestSupport.connection(service);
        TestSupport.Collector peer = new TestSupport.Collector();
        c.accepted().startReading(peer);
        await(c.accepted().shutdown());

        for (int round = 0; round < 3; round++) {
            TestSupport.Collector reads = new TestSupport.Collector();
            c.client().startReading(reads);
            await(reads.end);
            assertThat(c.client().isWritable()).isTrue();
            assertThat(c.client().isReadable()).isFalse();
        }
        await(c.client().write(TestSupport.ascii("QS")));
        assertThat(peer.takeString(2)).isEqualTo("QS");
        c.client().close();
        assertThat(c.client().isReadable()).isFalse();
        assertThat(c.client().isWritable()).isFalse();
    }
}
