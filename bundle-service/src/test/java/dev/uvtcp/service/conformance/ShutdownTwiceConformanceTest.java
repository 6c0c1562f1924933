package dev.uvtcp.service.conformance;

import static dev.uvtcp.service.TestSupport.await;
import static dev.uvtcp.service.TestSupport.onLoopOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.HandleClosedException;
import dev.uvtcp.Tcp;
import dev.uvtcp.service.TestSupport;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * libuv's {@code test/test-shutdown-twice.c}: a second {@code uv_shutdown} is refused
 * ({@code UV_ENOTCONN} in libuv 1.44) and leaves no ghost request: the first still completes.
 */
class ShutdownTwiceConformanceTest extends ConformanceFixture {

    @Test
    void shutdown_twice_secondWhileTheFirstIsPendingFailsItsStageWithENOTCONNAtOnce_firstCompletes()
            throws Exception {
        Tcp client = TestSupport.connection(service).client();
        // Both in one loop task: the first shutdown is certainly still pending.
        List<CompletionStage<Void>> stages = onLoopOf(client, () -> {
            CompletionStage<Void> first = client.shutdown();
            CompletionStage<Void> second = client.shutdown();
            assertThat(second.toCompletableFuture()).as("refused at the call").isCompletedExceptionally();
            return List.of(first, second);
        });
        stageFailsWith("ENOTCONN", stages.get(1));
        await(stages.get(0));
        assertThat(client.isWritable()).isFalse();
    }

    @Test
    void shutdown_twice_afterTheFirstCompletedEveryFurtherShutdownFailsItsStageWithENOTCONN()
            throws Exception {
        Tcp client = TestSupport.connection(service).client();
        await(client.shutdown());
        for (int i = 0; i < 3; i++) {
            stageFailsWith("ENOTCONN", client.shutdown());
        }
        assertThat(client.isClosed()).isFalse();
    }

    @Test
    void shutdown_twice_fromAnotherThreadTheSecondFailsWithENOTCONNAndTheFirstCompletes()
            throws Exception {
        Tcp client = TestSupport.connection(service).client();
        CompletionStage<Void> first = client.shutdown();
        CompletionStage<Void> second = client.shutdown();
        stageFailsWith("ENOTCONN", second);
        await(first);
    }

    @Test
    void shutdown_twice_afterCloseTheStageFailsWithHandleClosedExceptionWhereLibuvSaysENOTCONN()
            throws Exception {
        Tcp client = TestSupport.connection(service).client();
        client.close();
        assertThat(TestSupport.failureOf(client.shutdown())).isInstanceOf(HandleClosedException.class);
    }
}
