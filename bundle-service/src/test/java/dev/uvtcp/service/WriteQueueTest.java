package dev.uvtcp.service;

import static dev.uvtcp.service.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.Tcp;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/** write_queue_size against a slow peer, and tryWrite while writes are queued. */
class WriteQueueTest {

    private static final int MIB = 1024 * 1024;

    @Test
    void writeQueueSizeGrowsAgainstAPeerThatDoesNotReadAndDrainsToZeroWhenItReads()
            throws Exception {
        try (StandaloneTcpService service = TestSupport.startService("wq");
                ServerSocket server = new ServerSocket()) {
            server.setReceiveBufferSize(16 * 1024);
            server.bind(TestSupport.loopback(0), 16);
            Tcp client = await(service.connect((InetSocketAddress) server.getLocalSocketAddress()));
            try (Socket peer = TestSupport.acceptPlain(server)) {
                client.setSendBufferSize(16 * 1024);
                assertThat(client.writeQueueSize()).isZero();

                ByteBuffer chunk = ByteBuffer.allocateDirect(MIB);
                for (int i = 0; i < MIB; i++) {
                    chunk.put(i, (byte) (i * 31 + 7));
                }
                CRC32 sent = new CRC32();
                List<CompletableFuture<Void>> writes = new ArrayList<>();
                for (int i = 0; i < 64; i++) {
                    ByteBuffer view = chunk.duplicate();
                    sent.update(chunk.duplicate());
                    writes.add(client.write(view).toCompletableFuture());
                    assertThat(view.hasRemaining()).as("position advanced to the limit").isFalse();
                }
                // Everything that did not fit into the kernel's small buffers is queued: a task
                // through the loop (instead of a sleep) runs after the writes were handed over.
                TestSupport.onLoopOf(client, () -> null);
                long queued = client.writeQueueSize();
                assertThat(queued).as("queued bytes").isGreaterThan(60L * MIB)
                        .isLessThanOrEqualTo(64L * MIB);
                assertThat(writes.get(63)).isNotDone();
                TestSupport.onLoopOf(client, () -> null);
                assertThat(client.writeQueueSize()).as("nothing drains while the peer waits")
                        .isEqualTo(queued);

                CRC32 received = new CRC32();
                InputStream in = peer.getInputStream();
                byte[] buffer = new byte[256 * 1024];
                long total = 0;
                while (total < 64L * MIB) {
                    int n = in.read(buffer);
                    assertThat(n).as("read after %d bytes", total).isPositive();
                    received.update(buffer, 0, n);
                    total += n;
                }
                await(CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)));
                assertThat(client.writeQueueSize()).isZero();
                assertThat(received.getValue()).isEqualTo(sent.getValue());
            }
        }
    }

    @Test
    void tryWriteReturnsZeroAndLeavesPositionsWhileWritesAreQueued() throws Exception {
        try (StandaloneTcpService service = TestSupport.startService("trywq");
                ServerSocket server = new ServerSocket()) {
            server.setReceiveBufferSize(16 * 1024);
            server.bind(TestSupport.loopback(0), 16);
            Tcp client = await(service.connect((InetSocketAddress) server.getLocalSocketAddress()));
            try (Socket peer = TestSupport.acceptPlain(server)) {
                client.setSendBufferSize(16 * 1024);
                ByteBuffer big = ByteBuffer.allocateDirect(8 * MIB);
                CompletableFuture<Void> queued = client.write(big).toCompletableFuture();
                assertThat(client.writeQueueSize()).isPositive();

                ByteBuffer more = TestSupport.ascii("more");
                assertThat(client.tryWrite(more)).isZero();
                assertThat(more.position()).isZero();

                InputStream in = peer.getInputStream();
                byte[] sink = new byte[256 * 1024];
                long total = 0;
                while (total < 8 * MIB) {
                    int n = in.read(sink);
                    assertThat(n).isPositive();
                    total += n;
                }
                await(queued);
                assertThat(client.writeQueueSize()).isZero();
                assertThat(client.tryWrite(more)).isEqualTo(4);
                assertThat(TestSupport.string(TestSupport.readExactly(in, 4))).isEqualTo("more");
            }
        }
    }
}
