package dev.uvtcp.service.conformance;

import static dev.uvtcp.service.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.Tcp;
import dev.uvtcp.service.TestSupport;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** libuv's {@code test/test-multiple-listen.c}: {@code uv_listen} twice on one handle. */
class MultipleListenConformanceTest extends ConformanceFixture {

    @Test
    void multiple_listen_listeningTwiceSucceeds_theLastHandlerGetsTheConnection() throws Exception {
        Tcp server = service.newTcp();
        server.bind(TestSupport.loopback(0));
        CompletableFuture<String> called = new CompletableFuture<>();
        server.listen(128, (s, error) -> called.complete("first"));
        server.listen(128, (s, error) -> called.complete("second"));
        Tcp client = await(service.connect(server.localAddress()));
        assertThat(await(called)).isEqualTo("second");
        server.close();
        client.close();
        await(client.closeFuture());
    }
}
