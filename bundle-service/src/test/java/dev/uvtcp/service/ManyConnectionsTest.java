package dev.uvtcp.service;

import static dev.uvtcp.service.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.ReadHandler;
import dev.uvtcp.Stream;
import dev.uvtcp.Tcp;
import dev.uvtcp.UvException;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Many connections echoing at the same time through one uvtcp server. */
class ManyConnectionsTest {

    private static final int CONNECTIONS = 1000;
    private static final int PAYLOAD = 1024;

    @Test
    void thousandConcurrentConnectionsEachGetTheirOwnBytesEchoed() throws Exception {
        try (StandaloneTcpService service = StandaloneTcpService.start(new TcpServiceSettings(
                2, 64 * 1024, TestSupport.uniquePrefix("many")))) {
            Tcp server = TestSupport.startEchoServer(service);
            InetSocketAddress address = server.localAddress();

            List<CompletableFuture<byte[]>> echoes = new ArrayList<>();
            List<byte[]> payloads = new ArrayList<>();
            List<CompletionStage<Tcp>> connects = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                connects.add(service.connect(address));
            }
            for (int i = 0; i < CONNECTIONS; i++) {
                byte[] payload = payload(i);
                payloads.add(payload);
                CompletableFuture<byte[]> echoed = new CompletableFuture<>();
                echoes.add(echoed);
                connects.get(i).whenComplete((client, error) -> {
                    if (error != null) {
                        echoed.completeExceptionally(error);
                        return;
                    }
                    try {
                        client.startReading(new Accumulator(PAYLOAD, echoed));
                        client.write(ByteBuffer.wrap(payload));
                    } catch (UvException | RuntimeException e) {
                        echoed.completeExceptionally(e);
                    }
                });
            }
            CompletableFuture.allOf(echoes.toArray(CompletableFuture[]::new))
                    .get(30, TimeUnit.SECONDS);
            for (int i = 0; i < CONNECTIONS; i++) {
                assertThat(echoes.get(i).join()).as("echo of connection %d", i)
                        .isEqualTo(payloads.get(i));
            }
            // Clients, their accepted peers and the server.
            assertThat(service.handles()).hasSize(2 * CONNECTIONS + 1);
            for (CompletionStage<Tcp> connect : connects) {
                await(connect).close();
            }
        }
    }

    private static byte[] payload(int connection) {
        byte[] bytes = new byte[PAYLOAD];
        byte[] tag = ("connection " + connection + ";").getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = tag[i % tag.length];
        }
        return bytes;
    }

    /** Completes with the first {@code expected} bytes read. */
    private static final class Accumulator implements ReadHandler {
        private final int expected;
        private final CompletableFuture<byte[]> done;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        Accumulator(int expected, CompletableFuture<byte[]> done) {
            this.expected = expected;
            this.done = done;
        }

        @Override
        public void onRead(Stream stream, ByteBuffer data) {
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            bytes.writeBytes(chunk);
            if (bytes.size() >= expected) {
                done.complete(Arrays.copyOf(bytes.toByteArray(), bytes.size()));
            }
        }

        @Override
        public void onEnd(Stream stream) {
            done.completeExceptionally(new AssertionError("EOF after " + bytes.size()));
        }

        @Override
        public void onError(Stream stream, UvException error) {
            done.completeExceptionally(error);
        }
    }
}
