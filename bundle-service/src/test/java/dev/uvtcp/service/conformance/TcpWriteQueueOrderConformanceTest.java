package dev.uvtcp.service.conformance;

import static dev.uvtcp.service.TestSupport.await;
import static dev.uvtcp.service.TestSupport.failureOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.HandleClosedException;
import dev.uvtcp.Tcp;
import dev.uvtcp.service.TestSupport;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * libuv's {@code test/test-tcp-write-queue-order.c}: many writes queued to a peer that does
 * not read, then close. Every write ends, in the order it was made: those the kernel took
 * complete, the others fail with {@code UvException} ECANCELED (libuv cancels its queue on
 * close); none is left pending. A write made after {@code close()} fails with
 * {@link HandleClosedException}.
 */
class TcpWriteQueueOrderConformanceTest extends ConformanceFixture {

    private static final int REQ_COUNT = 2000;
    private static final int WRITE_BYTES = 1024;

    @Test
    void tcp_write_queue_order_closeEndsEveryWriteInSubmissionOrder_unsentOnesFailTheirStageWithECANCELED()
            throws Exception {
        try (ServerSocket peerServer = new ServerSocket()) {
            // Small buffers on both sides: 2 MiB of writes cannot all fit.
            peerServer.setReceiveBufferSize(16 * 1024);
            peerServer.bind(TestSupport.loopback(0), 8);
            Tcp client = await(service.connect((InetSocketAddress) peerServer.getLocalSocketAddress()));
            try (Socket peer = TestSupport.acceptPlain(peerServer)) { // never reads
                client.setSendBufferSize(16 * 1024);
                List<Integer> endOrder = new CopyOnWriteArrayList<>();
                List<CompletionStage<Void>> stages = new ArrayList<>();
                byte[] payload = new byte[WRITE_BYTES];
                for (int i = 0; i < REQ_COUNT; i++) {
                    CompletionStage<Void> stage = client.write(ByteBuffer.wrap(payload));
                    int index = i;
                    stage.whenComplete((ok, error) -> endOrder.add(index));
                    stages.add(stage);
                }
                await(stages.get(0)); // the kernel took at least the first write
                assertThat(client.writeQueueSize()).as("bytes libuv still holds").isPositive();
                client.close();
                await(client.closeFuture());

                assertThat(endOrder).as("every write ended, in submission order")
                        .hasSize(REQ_COUNT).isSorted();
                int completed = 0;
                int cancelled = 0;
                for (CompletionStage<Void> stage : stages) {
                    assertThat(stage.toCompletableFuture()).isDone();
                    if (!stage.toCompletableFuture().isCompletedExceptionally()) {
                        assertThat(cancelled).as("a completed write after a cancelled one").isZero();
                        completed++;
                    } else {
                        assertThat(errorNameOf(failureOf(stage))).isEqualTo("ECANCELED");
                        cancelled++;
                    }
                }
                assertThat(completed).as("writes the kernel took").isPositive();
                assertThat(cancelled).as("writes cancelled by close").isPositive();
                assertThat(completed + cancelled).isEqualTo(REQ_COUNT);
            }
        }
    }

    @Test
    void tcp_write_queue_order_aWriteMadeAfterCloseFailsItsStageWithHandleClosedException()
            throws Exception {
        Tcp client = TestSupport.connection(service).client();
        client.close();
        assertThat(failureOf(client.write(TestSupport.ascii("late"))))
                .isInstanceOf(HandleClosedException.class);
        assertThat(failureOf(client.write(TestSupport.directAscii("late"))))
                .isInstanceOf(HandleClosedException.class);
    }
}
