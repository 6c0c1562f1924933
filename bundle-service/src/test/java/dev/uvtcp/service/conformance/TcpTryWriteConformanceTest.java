package dev.uvtcp.service.conformance;

import static dev.uvtcp.service.TestSupport.await;
import static dev.uvtcp.service.TestSupport.onLoopOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.uvtcp.HandleClosedException;
import dev.uvtcp.Tcp;
import dev.uvtcp.service.TestSupport;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * libuv's {@code test/test-tcp-try-write.c} (what the kernel takes at once arrives; an empty
 * write takes nothing), and what {@code tryWrite} answers on a stream that cannot write:
 * libuv's {@code uv_try_write} checks, each thrown at the call.
 */
class TcpTryWriteConformanceTest extends ConformanceFixture {

    @Test
    void tcp_try_write_whatTryWriteTookArrives_anEmptyTryWriteReturns0() throws Exception {
        TestSupport.Connection c = TestSupport.connection(service);
        TestSupport.Collector peer = new TestSupport.Collector();
        c.accepted().startReading(peer);
        Tcp client = c.client();
        ByteBuffer ping = TestSupport.ascii("PING");
        int written = 0;
        for (int i = 0; i < 100 && written == 0; i++) {
            written = client.tryWrite(ping);
        }
        assertThat(written).as("bytes taken").isEqualTo(4);
        assertThat(ping.hasRemaining()).as("position advanced past what was written").isFalse();
        assertThat(client.tryWrite(ByteBuffer.allocate(0))).isZero();
        client.close();
        assertThat(peer.takeString(4)).isEqualTo("PING");
        await(peer.end);
    }

    @Test
    void tcp_try_write_aWriteOnTheLoopThreadThatTheKernelTakesWholeIsCompleteWhenWriteReturns()
            throws Exception {
        TestSupport.Connection c = TestSupport.connection(service);
        TestSupport.Collector peer = new TestSupport.Collector();
        c.accepted().startReading(peer);
        Tcp client = c.client();
        boolean doneAtReturn = onLoopOf(client, () ->
                client.write(TestSupport.directAscii("PING")).toCompletableFuture().isDone());
        assertThat(doneAtReturn).isTrue();
        assertThat(peer.takeString(4)).isEqualTo("PING");
        // A dependent action attached to the completed stage runs on the attaching thread.
        CompletionStage<Void> done = onLoopOf(client, () -> client.write(TestSupport.directAscii("P")));
        Thread[] ranOn = new Thread[1];
        done.thenRun(() -> ranOn[0] = Thread.currentThread());
        assertThat(ranOn[0]).isSameAs(Thread.currentThread());
    }

    @Test
    void tcp_try_write_withoutASocketThrowsEBADFAtTheCall() throws Exception {
        Tcp fresh = service.newTcp();
        thrownAtTheCall("EBADF", () -> fresh.tryWrite(TestSupport.ascii("x")));
    }

    @Test
    void tcp_try_write_onASocketThatIsNotConnectedThrowsEPIPEAtTheCall() throws Exception {
        Tcp bound = service.newTcp();
        bound.bind(TestSupport.loopback(0));
        thrownAtTheCall("EPIPE", () -> bound.tryWrite(TestSupport.ascii("x")));
        Tcp created = service.newTcp(java.net.StandardProtocolFamily.INET);
        thrownAtTheCall("EPIPE", () -> created.tryWrite(TestSupport.ascii("x")));
        Tcp server = TestSupport.startEchoServer(service);
        thrownAtTheCall("EPIPE", () -> server.tryWrite(TestSupport.ascii("x")));
    }

    @Test
    void tcp_try_write_afterShutdownThrowsEPIPEAtTheCall() throws Exception {
        Tcp client = TestSupport.connection(service).client();
        CompletionStage<Void> shutdown = client.shutdown();
        thrownAtTheCall("EPIPE", () -> client.tryWrite(TestSupport.ascii("x")));
        await(shutdown);
        thrownAtTheCall("EPIPE", () -> client.tryWrite(TestSupport.ascii("x")));
    }

    @Test
    void tcp_try_write_whileAConnectIsPendingReturns0() throws Exception {
        Tcp server = TestSupport.startEchoServer(service);
        Tcp client = service.newTcp();
        int written = onLoopOf(client, () -> {
            client.connect(server.localAddress());
            return client.tryWrite(TestSupport.ascii("early"));
        });
        assertThat(written).as("libuv's EAGAIN while connecting").isZero();
    }

    @Test
    void tcp_try_write_afterCloseThrowsHandleClosedExceptionWhereLibuvSaysEBADF() throws Exception {
        Tcp client = TestSupport.connection(service).client();
        client.close();
        assertThatThrownBy(() -> client.tryWrite(TestSupport.ascii("x")))
                .isInstanceOf(HandleClosedException.class);
    }
}
