package dev.uvtcp.service.conformance;

import static dev.uvtcp.service.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.uvtcp.Tcp;
import dev.uvtcp.UvException;
import dev.uvtcp.service.TestSupport;
import org.junit.jupiter.api.Test;

/**
 * libuv's {@code test/test-tcp-try-write-error.c}: once the peer has closed, {@code tryWrite}
 * goes on until the kernel refuses; then it throws EPIPE or ECONNRESET (libuv also allows
 * ECONNABORTED) at the call, and nothing is queued.
 */
class TcpTryWriteErrorConformanceTest extends ConformanceFixture {

    @Test
    void tcp_try_write_error_afterThePeerClosedTryWriteThrowsEPIPEOrECONNRESETAtTheCall()
            throws Exception {
        TestSupport.Connection c = TestSupport.connection(service);
        c.accepted().close();
        c.server().close();
        await(c.accepted().closeFuture());
        Tcp client = c.client();
        Throwable refused = null;
        for (int i = 0; i < 10_000 && refused == null; i++) {
            refused = catchThrowable(() -> client.tryWrite(TestSupport.ascii("meow")));
        }
        assertThat(refused).as("tryWrite refused within 10,000 calls")
                .isInstanceOfSatisfying(UvException.class, e -> assertThat(e.errorName())
                        .isIn("EPIPE", "ECONNRESET", "ECONNABORTED"));
        assertThat(client.writeQueueSize()).isZero();
        assertThat(client.isClosed()).as("the refusal does not close the handle").isFalse();
    }
}
