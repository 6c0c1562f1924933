package dev.uvtcp.service.conformance;

import static dev.uvtcp.service.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.Tcp;
import dev.uvtcp.service.TestSupport;
import org.junit.jupiter.api.Test;

/**
 * libuv's {@code test/test-connection-fail.c}: a connect to a port nobody listens on fails in
 * its callback with ECONNREFUSED, and libuv does not close the handle ({@code Tcp.connect};
 * the convenience {@code TcpService.connect} does close it). libuv binds to 0.0.0.0:0 first;
 * here 127.0.0.1:0.
 */
class ConnectionFailConformanceTest extends ConformanceFixture {

    @Test
    void connection_fail_connectStageFailsWithECONNREFUSED() throws Exception {
        Tcp tcp = service.newTcp();
        tcp.bind(TestSupport.loopback(0));
        stageFailsWith("ECONNREFUSED", tcp.connect(TestSupport.loopback(TestSupport.closedPort())));
    }

    @Test
    void connection_fail_doesnt_auto_close_theHandleStaysOpenUntilClosed() throws Exception {
        Tcp tcp = service.newTcp();
        tcp.bind(TestSupport.loopback(0));
        stageFailsWith("ECONNREFUSED", tcp.connect(TestSupport.loopback(TestSupport.closedPort())));
        assertThat(tcp.isClosed()).isFalse();
        assertThat(service.handles()).contains(tcp);
        assertThat(tcp.closeFuture().toCompletableFuture()).isNotDone();
        tcp.close();
        await(tcp.closeFuture());
    }

    @Test
    void connection_fail_theConvenienceConnectClosesTheHandleOnFailure() throws Exception {
        stageFailsWith("ECONNREFUSED", service.connect(TestSupport.loopback(TestSupport.closedPort())));
        assertThat(TestSupport.eventually(() -> service.handles().isEmpty())).isTrue();
    }
}
