package dev.uvtcp.service.conformance;

import static dev.uvtcp.service.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.ReadHandler;
import dev.uvtcp.Stream;
import dev.uvtcp.Tcp;
import dev.uvtcp.service.TestSupport;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * libuv's {@code test/test-shutdown-eof.c}: a client writes, shuts down, and reads the echo
 * server's answer and then its EOF; libuv does not close the handle on EOF. libuv's
 * {@code uv_read_start} on a reading stream answers EALREADY; uvtcp's
 * {@code startReading} replaces the handler instead (documented).
 */
class ShutdownEofConformanceTest extends ConformanceFixture {

    @Test
    void shutdown_eof_shutdownCompletesBeforeTheEchoAndTheEOF_theHandleIsNotClosedOnEOF()
            throws Exception {
        Tcp echo = TestSupport.startEchoServer(service);
        Tcp tcp = await(service.connect(echo.localAddress()));
        List<String> events = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> eof = new CompletableFuture<>();
        ReadHandler reader = new ReadHandler() {
            @Override
            public void onRead(Stream stream, ByteBuffer data) {
                events.add("read " + StandardCharsets.UTF_8.decode(data));
            }

            @Override
            public void onEnd(Stream stream) {
                events.add("eof");
                eof.complete(null);
            }
        };
        tcp.startReading((s, data) -> events.add("first handler"));
        tcp.startReading(reader); // replaces the first one
        CompletableFuture<Void> shutdown = TestSupport.onLoopOf(tcp, () -> {
            tcp.write(TestSupport.ascii("Q"));
            return tcp.shutdown().toCompletableFuture()
                    .thenRun(() -> events.add("shutdown done"));
        });
        await(shutdown);
        await(eof);
        assertThat(events).containsExactly("shutdown done", "read Q", "eof");
        assertThat(tcp.isClosed()).as("EOF does not close the handle").isFalse();
        assertThat(tcp.isWritable()).isFalse();
        tcp.close();
        await(tcp.closeFuture());
    }
}
