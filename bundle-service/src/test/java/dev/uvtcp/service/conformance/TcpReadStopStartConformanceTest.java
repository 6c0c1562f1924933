package dev.uvtcp.service.conformance;

import static dev.uvtcp.service.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.ReadHandler;
import dev.uvtcp.Stream;
import dev.uvtcp.UvException;
import dev.uvtcp.service.TestSupport;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * libuv's {@code test/test-tcp-read-stop-start.c}: stopping and restarting reading inside a
 * read callback (after writing to a peer that closed) works; the new reader gets the end of
 * the connection (libuv's test only asks for an error or EOF).
 */
class TcpReadStopStartConformanceTest extends ConformanceFixture {

    @Test
    void tcp_read_stop_start_stopAndStartInsideTheReadCallback_theNewReaderGetsEOFOrAnError()
            throws Exception {
        TestSupport.Connection c = TestSupport.connection(service);
        CompletableFuture<String> secondReaderEnd = new CompletableFuture<>();
        ReadHandler second = new ReadHandler() {
            @Override
            public void onRead(Stream stream, ByteBuffer data) {
            }

            @Override
            public void onEnd(Stream stream) {
                secondReaderEnd.complete("EOF");
                stream.close();
            }

            @Override
            public void onError(Stream stream, UvException error) {
                secondReaderEnd.complete(error.errorName());
                stream.close();
            }
        };
        CompletableFuture<Void> firstRead = new CompletableFuture<>();
        c.accepted().startReading((stream, data) -> {
            stream.write(TestSupport.ascii("12345678"));
            stream.stopReading();
            try {
                stream.startReading(second);
                firstRead.complete(null);
            } catch (UvException e) {
                firstRead.completeExceptionally(e);
            }
        });
        await(TestSupport.onLoopOf(c.client(), () -> c.client().write(TestSupport.ascii("12345678"))
                .thenRun(c.client()::close)));
        await(firstRead);
        assertThat(await(secondReaderEnd)).isIn("EOF", "ECONNRESET");
    }
}
