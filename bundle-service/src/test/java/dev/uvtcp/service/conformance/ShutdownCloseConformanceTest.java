package dev.uvtcp.service.conformance;

import static dev.uvtcp.service.TestSupport.await;
import static dev.uvtcp.service.TestSupport.onLoopOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.Tcp;
import dev.uvtcp.service.TestSupport;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * libuv's {@code test/test-shutdown-close.c}: the shutdown callback is always made, also when
 * {@code uv_close} follows at once.
 */
class ShutdownCloseConformanceTest extends ConformanceFixture {

    @Test
    void shutdown_close_tcp_closeRightAfterShutdownFailsTheShutdownStageWithECANCELED()
            throws Exception {
        Tcp client = TestSupport.connection(service).client();
        CompletionStage<Void> shutdown = onLoopOf(client, () -> {
            CompletionStage<Void> stage = client.shutdown();
            assertThat(client.isClosing()).isFalse();
            client.close();
            assertThat(client.isClosing()).isTrue();
            return stage;
        });
        boolean endedFirst = await(client.closeFuture().thenApply(
                ignored -> shutdown.toCompletableFuture().isDone()));
        assertThat(endedFirst).as("the shutdown ended before the close future").isTrue();
        stageFailsWith("ECANCELED", shutdown);
    }

    @Test
    void shutdown_close_tcp_aShutdownThatHappenedBeforeCloseStaysCompleted() throws Exception {
        Tcp client = TestSupport.connection(service).client();
        CompletionStage<Void> shutdown = client.shutdown();
        await(shutdown);
        client.close();
        await(client.closeFuture());
        assertThat(shutdown.toCompletableFuture()).isCompleted().isNotCompletedExceptionally();
    }
}
