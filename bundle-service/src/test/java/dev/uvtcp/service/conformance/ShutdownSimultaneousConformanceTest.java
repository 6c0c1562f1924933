package dev.uvtcp.service.conformance;

import static dev.uvtcp.service.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.ReadHandler;
import dev.uvtcp.Stream;
import dev.uvtcp.Tcp;
import dev.uvtcp.service.TestSupport;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * libuv's {@code test/test-shutdown-simultaneous.c}: both ends shut down at about the same
 * time (the client in its read callback, as the echo server's EOF is under way); neither
 * hangs: both shutdowns complete and both ends read EOF.
 */
class ShutdownSimultaneousConformanceTest extends ConformanceFixture {

    @Test
    void shutdown_simultaneous_bothShutdownsCompleteAndBothEndsReadEOF() throws Exception {
        TestSupport.Connection c = TestSupport.connection(service);
        CompletableFuture<Void> serverShutdown = new CompletableFuture<>();
        TestSupport.Collector serverReads = new TestSupport.Collector();
        c.accepted().startReading(new ReadHandler() {
            @Override
            public void onRead(Stream stream, ByteBuffer data) {
                serverReads.onRead(stream, data.duplicate());
                stream.write(data);
                stream.shutdown().whenComplete((ok, e) -> {
                    if (e == null) {
                        serverShutdown.complete(null);
                    } else {
                        serverShutdown.completeExceptionally(e);
                    }
                });
            }

            @Override
            public void onEnd(Stream stream) {
                serverReads.onEnd(stream);
            }
        });
        Tcp client = c.client();
        CompletableFuture<Void> clientShutdown = new CompletableFuture<>();
        CompletableFuture<Void> clientEof = new CompletableFuture<>();
        StringBuilder got = new StringBuilder();
        client.startReading(new ReadHandler() {
            @Override
            public void onRead(Stream stream, ByteBuffer data) {
                got.append(java.nio.charset.StandardCharsets.UTF_8.decode(data));
                stream.shutdown().whenComplete((ok, e) -> {
                    if (e == null) {
                        clientShutdown.complete(null);
                    } else {
                        clientShutdown.completeExceptionally(e);
                    }
                });
            }

            @Override
            public void onEnd(Stream stream) {
                clientEof.complete(null);
            }
        });
        assertThat(client.tryWrite(TestSupport.ascii("QQSS"))).isEqualTo(4);
        await(serverShutdown);
        await(clientShutdown);
        await(clientEof);
        await(serverReads.end);
        assertThat(got.toString()).isEqualTo("QQSS");
    }
}
