package dev.uvtcp.service.conformance;

import static dev.uvtcp.service.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.ReadHandler;
import dev.uvtcp.Stream;
import dev.uvtcp.Tcp;
import dev.uvtcp.service.TestSupport;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * libuv's {@code test/test-tcp-writealot.c}: many multi-buffer writes to an echo server,
 * then a shutdown; every write completes, the shutdown completes, and every byte comes back
 * before EOF.
 */
class TcpWritealotConformanceTest extends ConformanceFixture {

    private static final int WRITES = 64;
    private static final int CHUNKS_PER_WRITE = 4;
    private static final int CHUNK_SIZE = 16 * 1024;
    private static final long TOTAL_BYTES = (long) WRITES * CHUNKS_PER_WRITE * CHUNK_SIZE;

    @Test
    void tcp_writealot_everyWriteAndTheShutdownComplete_everyByteComesBackBeforeEOF()
            throws Exception {
        Tcp echo = TestSupport.startEchoServer(service);
        Tcp client = await(service.connect(echo.localAddress()));
        AtomicLong bytesRead = new AtomicLong();
        AtomicLong checksum = new AtomicLong();
        CompletableFuture<Long> eof = new CompletableFuture<>();
        client.startReading(new ReadHandler() {
            @Override
            public void onRead(Stream stream, ByteBuffer data) {
                while (data.hasRemaining()) {
                    checksum.addAndGet(data.get() & 0xff);
                    bytesRead.incrementAndGet();
                }
            }

            @Override
            public void onEnd(Stream stream) {
                eof.complete(bytesRead.get());
                stream.close();
            }
        });
        long expectedChecksum = 0;
        List<CompletionStage<Void>> writes = new ArrayList<>();
        for (int w = 0; w < WRITES; w++) {
            ByteBuffer[] chunks = new ByteBuffer[CHUNKS_PER_WRITE];
            for (int c = 0; c < CHUNKS_PER_WRITE; c++) {
                byte[] bytes = new byte[CHUNK_SIZE];
                java.util.Arrays.fill(bytes, (byte) (w + c));
                expectedChecksum += (long) CHUNK_SIZE * ((w + c) & 0xff);
                chunks[c] = ByteBuffer.wrap(bytes);
            }
            writes.add(client.write(chunks));
        }
        CompletionStage<Void> shutdown = client.shutdown();
        for (CompletionStage<Void> write : writes) {
            await(write);
        }
        await(shutdown);
        assertThat(await(eof)).isEqualTo(TOTAL_BYTES);
        assertThat(checksum.get()).isEqualTo(expectedChecksum);
    }
}
