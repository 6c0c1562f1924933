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
 * libuv's {@code test/test-tcp-write-to-half-open-connection.c}: a server writes to a client
 * that has just closed; the write completes (the kernel took it), and the server's read ends
 * with EOF or ECONNRESET in its read callback.
 */
class TcpWriteToHalfOpenConnectionConformanceTest extends ConformanceFixture {

    @Test
    void tcp_write_to_half_open_connection_writeCompletes_readCallbackGetsEOFOrECONNRESET()
            throws Exception {
        CompletableFuture<Tcp> peer = new CompletableFuture<>();
        CompletableFuture<String> readEnd = new CompletableFuture<>();
        CompletableFuture<java.util.concurrent.CompletionStage<Void>> write = new CompletableFuture<>();
        Tcp server = service.listen("127.0.0.1", 0, 1, connection -> {
            try {
                connection.startReading(new ReadHandler() {
                    @Override
                    public void onRead(Stream stream, ByteBuffer data) {
                    }

                    @Override
                    public void onEnd(Stream stream) {
                        readEnd.complete("EOF");
                        stream.close();
                    }

                    @Override
                    public void onError(Stream stream, UvException error) {
                        readEnd.complete(error.errorName());
                        stream.close();
                    }
                });
                write.complete(connection.write(TestSupport.ascii("hello\n")));
                peer.complete(connection);
            } catch (UvException e) {
                peer.completeExceptionally(e);
            }
        });
        Tcp client = service.newTcp();
        await(TestSupport.onLoopOf(client, () -> client.connect(server.localAddress())
                .thenRun(client::close)));
        await(await(write));
        assertThat(await(readEnd)).isIn("EOF", "ECONNRESET");
        await(await(peer).closeFuture());
    }
}
