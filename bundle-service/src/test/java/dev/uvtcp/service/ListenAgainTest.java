package dev.uvtcp.service;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.Tcp;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code listen} on a stream that listens already, as libuv allows: it takes the new backlog
 * and handler, and a connection waiting for {@code accept} keeps waiting. Unpatched libuv
 * 1.44 restarted the server's watcher there, so the next connection overwrote the waiting one
 * (whose descriptor leaked); see bundle-native's
 * {@code patches/libuv-1.44.2-listen-again-keeps-waiting-connection.patch}. uvtcp itself
 * listens again to resume accepting after running out of descriptors.
 */
class ListenAgainTest {

    @BeforeAll
    static void warmUp() throws Exception {
        TestSupport.warmUpForCounting();
    }

    @Test
    void listeningAgainKeepsTheWaitingConnectionAndCallsTheNewHandlerForTheNext() throws Exception {
        long fdsBefore = TestSupport.openFdCount();
        try (StandaloneTcpService service = TestSupport.startService("relisten")) {
            Tcp server = service.newTcp();
            server.bind(TestSupport.loopback(0));
            BlockingQueue<String> calls = new LinkedBlockingQueue<>();
            server.listen(16, (s, error) -> calls.add("first handler: " + outcome(error)));
            InetSocketAddress address = TestSupport.loopback(server.localAddress().getPort());
            try (Socket waiting = new Socket(); Socket next = new Socket()) {
                waiting.connect(address, 5000);
                waiting.setSoTimeout(5000);
                assertThat(calls.poll(TestSupport.TIMEOUT_SECONDS, SECONDS))
                        .isEqualTo("first handler: waiting");

                server.listen(32, (s, error) -> calls.add("second handler: " + outcome(error)));
                next.connect(address, 5000);
                next.setSoTimeout(5000);
                // libuv takes no further connection while one waits for accept
                assertThat(calls.poll(300, MILLISECONDS)).as("call while one waits").isNull();

                Tcp first = server.accept();
                first.startReading(TestSupport.ECHO);
                assertThat(TestSupport.echoesByte(waiting, 'w'))
                        .as("the connection that waited is the one accepted first").isTrue();
                assertThat(calls.poll(TestSupport.TIMEOUT_SECONDS, SECONDS))
                        .isEqualTo("second handler: waiting");
                Tcp second = server.accept();
                second.startReading(TestSupport.ECHO);
                assertThat(TestSupport.echoesByte(next, 'n')).isTrue();
                assertThat(calls).isEmpty();
            }
        }
        assertThat(TestSupport.eventually(() -> TestSupport.openFdCount() <= fdsBefore))
                .as("descriptors back to %d, now %d", fdsBefore, TestSupport.openFdCount())
                .isTrue();
    }

    private static String outcome(dev.uvtcp.UvException error) {
        return error == null ? "waiting" : error.errorName();
    }
}
