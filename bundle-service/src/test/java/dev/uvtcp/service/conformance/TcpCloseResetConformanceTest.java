package dev.uvtcp.service.conformance;

import static dev.uvtcp.service.TestSupport.await;
import static dev.uvtcp.service.TestSupport.failureOf;
import static dev.uvtcp.service.TestSupport.onLoopOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.HandleClosedException;
import dev.uvtcp.Tcp;
import dev.uvtcp.service.TestSupport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * libuv's {@code test/test-tcp-close-reset.c}: {@code uv_tcp_close_reset} ends pending writes
 * before the handle is closed and the peer reads ECONNRESET; it is refused with EINVAL while a
 * shutdown is pending, and a shutdown after it is refused (libuv: ENOTCONN; uvtcp:
 * {@link HandleClosedException}, the handle being closed). Not followed:
 * {@code ..._after_socket_shutdown} ({@code shutdown(2)} on the descriptor behind libuv's back).
 */
class TcpCloseResetConformanceTest extends ConformanceFixture {

    /** Writes 4 x "PING" and resets, in one loop task; returns the write stages. */
    private static List<CompletableFuture<Void>> writeFourPingsAndReset(Tcp tcp) {
        return onLoopOf(tcp, () -> {
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                writes.add(tcp.write(TestSupport.ascii("PING")).toCompletableFuture());
            }
            tcp.closeReset();
            return writes;
        });
    }

    @Test
    void tcp_close_reset_client_writesEndBeforeTheClose_peerReadEnds_laterShutdownFailsWithHandleClosedException()
            throws Exception {
        TestSupport.Connection c = TestSupport.connection(service);
        TestSupport.Collector peer = new TestSupport.Collector();
        c.accepted().startReading(peer);
        Tcp client = c.client();
        List<CompletableFuture<Void>> writes = writeFourPingsAndReset(client);
        assertThat(client.isClosed()).isTrue();
        CompletableFuture<Boolean> writesEndedFirst = client.closeFuture().toCompletableFuture()
                .thenApply(ignored -> writes.stream().allMatch(CompletableFuture::isDone));
        assertThat(await(writesEndedFirst)).isTrue();
        assertThat(failureOf(client.shutdown())).isInstanceOf(HandleClosedException.class);

        assertPeerReadEnded(peer);
    }

    /**
     * The reading peer's read ends as libuv's test allows (any error): with ECONNRESET, or with
     * EOF when libuv 1.44 sees the hang-up right after a short read of the data that came
     * before the reset (its POLLHUP shortcut reports EOF without reading again).
     */
    private static void assertPeerReadEnded(TestSupport.Collector peer) {
        try {
            peer.end.toCompletableFuture().get(TestSupport.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            assertThat(errorNameOf(e.getCause())).isEqualTo("ECONNRESET");
        } catch (Exception e) {
            throw new AssertionError("the peer's read did not end", e);
        }
    }

    @Test
    void tcp_close_reset_withNothingInFlightThePeerReadCallbackGetsECONNRESET() throws Exception {
        TestSupport.Connection c = TestSupport.connection(service);
        TestSupport.Collector peer = new TestSupport.Collector();
        c.accepted().startReading(peer);
        c.client().closeReset();
        assertThat(errorNameOf(failureOf(peer.end))).isEqualTo("ECONNRESET");
        assertThat(peer.reads).isEmpty();
        // libuv clears readable and writable on a read error.
        assertThat(c.accepted().isReadable()).isFalse();
        assertThat(c.accepted().isWritable()).isFalse();
    }

    @Test
    void tcp_close_reset_client_aWriteTheKernelHasNotTakenFailsItsStageWithECANCELED()
            throws Exception {
        try (java.net.ServerSocket peerServer = new java.net.ServerSocket()) {
            peerServer.setReceiveBufferSize(16 * 1024);
            peerServer.bind(TestSupport.loopback(0), 8);
            Tcp client = await(service.connect(
                    (java.net.InetSocketAddress) peerServer.getLocalSocketAddress()));
            try (java.net.Socket peer = TestSupport.acceptPlain(peerServer)) { // never reads
                client.setSendBufferSize(16 * 1024);
                CompletionStage<Void> big = client.write(java.nio.ByteBuffer.allocate(8 << 20));
                assertThat(client.writeQueueSize()).as("bytes libuv still holds").isPositive();
                client.closeReset();
                boolean endedFirst = await(client.closeFuture().thenApply(
                        ignored -> big.toCompletableFuture().isDone()));
                assertThat(endedFirst).isTrue();
                stageFailsWith("ECANCELED", big);
            }
        }
    }

    @Test
    void tcp_close_reset_client_after_shutdown_closeResetWhileTheShutdownIsPendingThrowsEINVALAtTheCall_handleStaysOpen_shutdownCompletes()
            throws Exception {
        Tcp client = TestSupport.connection(service).client();
        CompletionStage<Void> shutdown = onLoopOf(client, () -> {
            CompletionStage<Void> stage = client.shutdown();
            thrownAtTheCall("EINVAL", client::closeReset);
            return stage;
        });
        assertThat(client.isClosed()).as("a refused reset leaves the handle open").isFalse();
        await(shutdown);
        // Once the shutdown is done, a reset is allowed again.
        client.closeReset();
        assertThat(client.isClosed()).isTrue();
        await(client.closeFuture());
    }

    @Test
    void tcp_close_reset_accepted_writesEndBeforeTheClose_clientReadEnds()
            throws Exception {
        TestSupport.Connection c = TestSupport.connection(service);
        TestSupport.Collector client = new TestSupport.Collector();
        c.client().startReading(client);
        await(c.client().write(TestSupport.ascii("PINGPINGPINGPING")));
        Tcp accepted = c.accepted();
        List<CompletableFuture<Void>> writes = writeFourPingsAndReset(accepted);
        CompletableFuture<Boolean> writesEndedFirst = accepted.closeFuture().toCompletableFuture()
                .thenApply(ignored -> writes.stream().allMatch(CompletableFuture::isDone));
        assertThat(await(writesEndedFirst)).isTrue();
        assertPeerReadEnded(client);
    }

    @Test
    void tcp_close_reset_accepted_after_shutdown_closeResetWhileTheShutdownIsPendingThrowsEINVAL_peerReadsEOF()
            throws Exception {
        TestSupport.Connection c = TestSupport.connection(service);
        TestSupport.Collector client = new TestSupport.Collector();
        c.client().startReading(client);
        Tcp accepted = c.accepted();
        CompletionStage<Void> shutdown = onLoopOf(accepted, () -> {
            accepted.write(TestSupport.ascii("PING"));
            CompletionStage<Void> stage = accepted.shutdown();
            thrownAtTheCall("EINVAL", accepted::closeReset);
            return stage;
        });
        await(shutdown);
        assertThat(client.takeString(4)).isEqualTo("PING");
        await(client.end); // EOF, not a reset
        assertThat(accepted.isClosed()).isFalse();
    }
}
