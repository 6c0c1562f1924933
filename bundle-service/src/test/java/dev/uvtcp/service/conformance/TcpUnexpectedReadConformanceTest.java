package dev.uvtcp.service.conformance;

import static dev.uvtcp.service.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.Tcp;
import dev.uvtcp.service.TestSupport;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.assertj.core.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * libuv's {@code test/test-tcp-unexpected-read.c}: data arriving on a stream that is not
 * reading must not make the loop spin. libuv counts loop iterations; here the loop thread's
 * CPU time over the wait is measured.
 */
class TcpUnexpectedReadConformanceTest extends ConformanceFixture {

    private static final long WAIT_MILLIS = 500;

    @Test
    void tcp_unexpected_read_dataWaitingOnAStreamThatIsNotReadingDoesNotSpinTheLoop()
            throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Assumptions.assumeThat(threads.isThreadCpuTimeSupported()).isTrue();
        TestSupport.Connection c = TestSupport.connection(service);
        Tcp client = c.client(); // never started reading
        await(c.accepted().write(TestSupport.ascii("PING")));
        long loopThreadId = TestSupport.onLoopOf(client, () -> Thread.currentThread().getId());

        long cpuBefore = threads.getThreadCpuTime(loopThreadId);
        TestSupport.sleep(WAIT_MILLIS);
        long cpuMillis = (threads.getThreadCpuTime(loopThreadId) - cpuBefore) / 1_000_000;
        assertThat(cpuMillis).as("loop thread CPU ms over %d ms with unread data", WAIT_MILLIS)
                .isLessThan(WAIT_MILLIS / 5);

        TestSupport.Collector reads = new TestSupport.Collector();
        client.startReading(reads);
        assertThat(reads.takeString(4)).as("the data waited").isEqualTo("PING");
    }
}
