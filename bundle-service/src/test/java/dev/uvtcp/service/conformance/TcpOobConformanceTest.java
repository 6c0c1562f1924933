package dev.uvtcp.service.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.Tcp;
import dev.uvtcp.service.TestSupport;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.Socket;
import org.assertj.core.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * libuv's {@code test/test-tcp-oob.c}: urgent (out-of-band) data sent to a reading stream
 * neither hangs nor spins the loop; the in-band bytes are read, the urgent byte is not (it is
 * not inline). The peer here is a plain socket ({@code Socket.sendUrgentData}).
 */
class TcpOobConformanceTest extends ConformanceFixture {

    @Test
    void tcp_oob_urgentDataNeitherHangsNorSpinsTheLoop_inBandBytesAreRead() throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Assumptions.assumeThat(threads.isThreadCpuTimeSupported()).isTrue();
        java.util.concurrent.CompletableFuture<Tcp> accepted =
                new java.util.concurrent.CompletableFuture<>();
        Tcp server = service.listen("127.0.0.1", 0, 1, accepted::complete);
        try (Socket peer = TestSupport.plainClient(server.localAddress())) {
            peer.setTcpNoDelay(true);
            Tcp connection = TestSupport.await(accepted);
            TestSupport.Collector reads = new TestSupport.Collector();
            connection.startReading(reads);
            long loopThreadId = TestSupport.onLoopOf(server, () -> Thread.currentThread().getId());

            peer.getOutputStream().write("hello".getBytes());
            // One urgent byte: Linux keeps only the latest out of band (an earlier one would
            // become in-band data).
            peer.sendUrgentData('!');
            peer.getOutputStream().write("world".getBytes());
            assertThat(reads.takeString(10)).isEqualTo("helloworld");

            long cpuBefore = threads.getThreadCpuTime(loopThreadId);
            TestSupport.sleep(300);
            long cpuMillis = (threads.getThreadCpuTime(loopThreadId) - cpuBefore) / 1_000_000;
            assertThat(cpuMillis).as("loop thread CPU ms over 300 ms after urgent data")
                    .isLessThan(60);
            connection.write(TestSupport.ascii("ok"));
            assertThat(new String(TestSupport.readExactly(peer.getInputStream(), 2))).isEqualTo("ok");
        }
    }
}
