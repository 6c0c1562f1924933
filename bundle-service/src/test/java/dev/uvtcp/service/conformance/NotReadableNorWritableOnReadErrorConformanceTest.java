package dev.uvtcp.service.conformance;

import static dev.uvtcp.service.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.ReadHandler;
import dev.uvtcp.Stream;
import dev.uvtcp.Tcp;
import dev.uvtcp.UvException;
import dev.uvtcp.service.TestSupport;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * libuv's {@code test/test-not-readable-nor-writable-on-read-error.c}: when a read fails
 * (here the peer resets), the stream is neither readable nor writable, already inside the
 * read callback; afterwards {@code startReading} throws ENOTCONN and writes fail with EPIPE.
 */
class NotReadableNorWritableOnReadErrorConformanceTest extends ConformanceFixture {

    @Test
    void not_readable_nor_writable_on_read_error_readCallbackGetsECONNRESET_streamIsNeitherReadableNorWritable()
            throws Exception {
        try (ServerSocket peerServer = TestSupport.plainServer()) {
            Tcp client = await(service.connect((InetSocketAddress) peerServer.getLocalSocketAddress()));
            CompletableFuture<boolean[]> flagsInCallback = new CompletableFuture<>();
            CompletableFuture<String> error = new CompletableFuture<>();
            client.startReading(new ReadHandler() {
                @Override
                public void onRead(Stream stream, ByteBuffer data) {
                }

                @Override
                public void onError(Stream stream, UvException e) {
                    flagsInCallback.complete(new boolean[] {stream.isReadable(), stream.isWritable()});
                    error.complete(e.errorName());
                }
            });
            try (Socket peer = TestSupport.acceptPlain(peerServer)) {
                peer.setSoLinger(true, 0); // close with a reset
            }
            assertThat(await(error)).isEqualTo("ECONNRESET");
            assertThat(await(flagsInCallback)).containsExactly(false, false);
            assertThat(client.isClosed()).as("the handler did not close it").isFalse();
            thrownAtTheCall("ENOTCONN", () -> client.startReading((s, d) -> { }));
            stageFailsWith("EPIPE", client.write(TestSupport.ascii("x")));
            thrownAtTheCall("EPIPE", () -> client.tryWrite(TestSupport.ascii("x")));
            stageFailsWith("ENOTCONN", client.shutdown());
        }
    }
}
