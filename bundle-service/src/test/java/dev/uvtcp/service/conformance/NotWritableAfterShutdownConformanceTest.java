package dev.uvtcp.service.conformance;

import static dev.uvtcp.service.TestSupport.await;
import static dev.uvtcp.service.TestSupport.onLoopOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.Tcp;
import dev.uvtcp.service.TestSupport;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** libuv's {@code test/test-not-writable-after-shutdown.c}. */
class NotWritableAfterShutdownConformanceTest extends ConformanceFixture {

    @Test
    void not_writable_after_shutdown_isWritableIsFalseAsSoonAsShutdownReturns() throws Exception {
        Tcp client = TestSupport.connection(service).client();
        assertThat(client.isWritable()).isTrue();
        CompletionStage<Void> shutdown = onLoopOf(client, () -> {
            CompletionStage<Void> stage = client.shutdown();
            assertThat(client.isWritable()).as("right after shutdown() returned").isFalse();
            return stage;
        });
        await(shutdown);
        assertThat(client.isWritable()).isFalse();
        assertThat(client.isReadable()).as("the receiving side stays open").isTrue();
    }

    @Test
    void not_writable_after_shutdown_writeStageAndTryWriteFailWithEPIPE() throws Exception {
        Tcp client = TestSupport.connection(service).client();
        CompletionStage<Void> shutdown = client.shutdown();
        stageFailsWith("EPIPE", client.write(TestSupport.ascii("late")));
        thrownAtTheCall("EPIPE", () -> client.tryWrite(TestSupport.ascii("late")));
        await(shutdown);
        stageFailsWith("EPIPE", client.write(TestSupport.directAscii("later")));
    }
}
