package dev.uvtcp.service.conformance;

import static dev.uvtcp.service.TestSupport.await;
import static dev.uvtcp.service.TestSupport.onLoopOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.Tcp;
import dev.uvtcp.service.TestSupport;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * libuv's {@code test/test-tcp-close-while-connecting.c}: closing a handle whose connect is
 * pending makes the connect callback with ECANCELED, once, before the close callback. (libuv
 * connects to 1.2.3.4; here the connect and the close happen in one loop task, so the connect
 * is certainly pending, on loopback.)
 */
class TcpCloseWhileConnectingConformanceTest extends ConformanceFixture {

    @Test
    void tcp_close_while_connecting_theConnectStageFailsWithECANCELEDBeforeTheCloseFutureCompletes()
            throws Exception {
        Tcp server = TestSupport.startEchoServer(service);
        Tcp tcp = service.newTcp();
        CompletionStage<Void> connect = onLoopOf(tcp, () -> {
            CompletionStage<Void> stage = tcp.connect(server.localAddress());
            tcp.close();
            return stage;
        });
        boolean connectEndedFirst = await(tcp.closeFuture().thenApply(
                ignored -> connect.toCompletableFuture().isDone()));
        assertThat(connectEndedFirst).isTrue();
        stageFailsWith("ECANCELED", connect);
    }
}
