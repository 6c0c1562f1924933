package dev.uvtcp.service.conformance;

import static dev.uvtcp.service.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.Tcp;
import dev.uvtcp.service.TestSupport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * libuv's {@code test/test-tcp-close.c}: writes still pending when a handle is closed have
 * their callbacks made, before the close callback.
 */
class TcpCloseConformanceTest extends ConformanceFixture {

    private static final int NUM_WRITE_REQS = 32;

    @Test
    void tcp_close_everyWriteMadeBeforeCloseEndsBeforeTheCloseFutureCompletes() throws Exception {
        Tcp client = TestSupport.connection(service).client();
        List<CompletableFuture<Void>> stages = TestSupport.onLoopOf(client, () -> {
            List<CompletableFuture<Void>> made = new ArrayList<>();
            for (int i = 0; i < NUM_WRITE_REQS; i++) {
                made.add(client.write(TestSupport.ascii("PING")).toCompletableFuture());
            }
            client.close();
            return made;
        });
        CompletableFuture<Boolean> allEndedAtClose = client.closeFuture().toCompletableFuture()
                .thenApply(ignored -> stages.stream().allMatch(CompletableFuture::isDone));
        assertThat(await(allEndedAtClose)).as("all writes ended when the close completed").isTrue();
        for (CompletionStage<Void> stage : stages) {
            CompletableFuture<Void> f = stage.toCompletableFuture();
            if (f.isCompletedExceptionally()) {
                assertThat(errorNameOf(TestSupport.failureOf(f))).isEqualTo("ECANCELED");
            }
        }
    }
}
