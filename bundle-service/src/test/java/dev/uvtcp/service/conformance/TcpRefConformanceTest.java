package dev.uvtcp.service.conformance;

import static dev.uvtcp.service.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.Loop;
import dev.uvtcp.Tcp;
import dev.uvtcp.service.TestSupport;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * libuv's {@code test/test-ref.c} (TCP part), seen through {@code Loop.isAlive()}
 * ({@code uv_loop_alive}) and {@code Handle.isActive()} ({@code uv_is_active}): an
 * unreferenced handle does not keep the loop alive, a pending request (connect, write,
 * shutdown) does, and a TCP handle is active only while listening or reading.
 */
class TcpRefConformanceTest extends ConformanceFixture {

    @Test
    void tcp_ref_anUnreferencedHandleDoesNotKeepTheLoopAlive() throws Exception {
        Tcp h = service.newTcp();
        Loop loop = h.loop();
        assertThat(h.hasRef()).isTrue();
        assertThat(loop.isAlive()).as("an inactive handle").isFalse();
        h.unref();
        assertThat(h.hasRef()).isFalse();
        assertThat(loop.isAlive()).isFalse();
        h.close();
        await(h.closeFuture());
    }

    @Test
    void tcp_ref2_aListeningHandleKeepsTheLoopAliveUntilUnreferenced() throws Exception {
        Tcp h = service.newTcp();
        h.bind(TestSupport.loopback(0));
        h.listen(128, (s, error) -> { });
        assertThat(h.isActive()).isTrue();
        assertThat(h.loop().isAlive()).isTrue();
        h.unref();
        assertThat(h.loop().isAlive()).isFalse();
        h.ref();
        assertThat(h.loop().isAlive()).isTrue();
        h.close();
        assertThat(h.isActive()).isFalse();
    }

    @Test
    void tcp_ref3_aPendingConnectOfAnUnreferencedHandleKeepsTheLoopAlive_theHandleIsNotActive()
            throws Exception {
        List<Socket> fillers = new ArrayList<>();
        try (ServerSocket full = new ServerSocket(0, 1, TestSupport.LOOPBACK)) {
            InetSocketAddress address = (InetSocketAddress) full.getLocalSocketAddress();
            TestSupport.fillAcceptQueue(address, fillers);
            Tcp h = service.newTcp();
            h.unref();
            CompletionStage<Void> connect = h.connect(address);
            assertThat(h.isActive()).as("a request does not make the handle active").isFalse();
            assertThat(h.loop().isAlive()).as("the request keeps the loop alive").isTrue();
            h.close();
            stageFailsWith("ECANCELED", connect);
        } finally {
            for (Socket s : fillers) {
                s.close();
            }
        }
    }

    @Test
    void tcp_ref4_aReadingHandleIsActive_unreferencedItDoesNotKeepTheLoopAlive() throws Exception {
        TestSupport.Connection c = TestSupport.connection(service);
        c.server().close(); // the listener would keep the loop alive
        Tcp client = c.client();
        client.unref();
        await(client.write(TestSupport.ascii("PING")));
        client.startReading((s, d) -> { });
        assertThat(client.isActive()).isTrue();
        assertThat(c.accepted().isActive()).as("not reading").isFalse();
        assertThat(client.loop().isAlive()).isFalse();
        client.ref();
        assertThat(client.loop().isAlive()).isTrue();
        client.stopReading();
        assertThat(client.isActive()).isFalse();
        assertThat(client.loop().isAlive()).isFalse();
    }
}
