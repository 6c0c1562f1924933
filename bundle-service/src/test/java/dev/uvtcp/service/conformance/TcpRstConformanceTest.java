package dev.uvtcp.service.conformance;

import static dev.uvtcp.service.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.ReadHandler;
import dev.uvtcp.Stream;
import dev.uvtcp.Tcp;
import dev.uvtcp.UvException;
import dev.uvtcp.service.TestSupport;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * libuv's {@code test/test-tcp-rst.c}: a reading client whose peer resets gets ECONNRESET in
 * its read callback, and the handle still has its descriptor there (closing is the user's).
 */
class TcpRstConformanceTest extends ConformanceFixture {

    @Test
    void tcp_rst_readCallbackGetsECONNRESET_theDescriptorIsStillThereInTheCallback()
            throws Exception {
        TestSupport.Connection c = TestSupport.connection(service);
        CompletableFuture<Integer> filenoInCallback = new CompletableFuture<>();
        CompletableFuture<String> error = new CompletableFuture<>();
        Tcp tcp = c.client();
        tcp.startReading(new ReadHandler() {
            @Override
            public void onRead(Stream stream, ByteBuffer data) {
            }

            @Override
            public void onError(Stream stream, UvException e) {
                error.complete(e.errorName());
                try {
                    filenoInCallback.complete(stream.fileno());
                } catch (UvException noDescriptor) {
                    filenoInCallback.completeExceptionally(noDescriptor);
                }
                stream.close();
            }
        });
        int fileno = tcp.fileno();
        c.accepted().closeReset();
        assertThat(await(error)).isEqualTo("ECONNRESET");
        assertThat(await(filenoInCallback)).isEqualTo(fileno);
        await(tcp.closeFuture());
    }

    @Test
    void tcp_rst_aReadHandlerWithoutOnErrorHasTheStreamClosedOnECONNRESET() throws Exception {
        TestSupport.Connection c = TestSupport.connection(service);
        Tcp tcp = c.client();
        tcp.startReading((stream, data) -> { }); // ReadHandler's default onError
        c.accepted().closeReset();
        await(tcp.closeFuture());
        assertThat(tcp.isClosed()).isTrue();
    }
}
