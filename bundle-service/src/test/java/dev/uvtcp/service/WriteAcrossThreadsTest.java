package dev.uvtcp.service;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.Loop;
import dev.uvtcp.ReadHandler;
import dev.uvtcp.Stream;
import dev.uvtcp.Tcp;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What {@link ByteExactStressTest} found, each made deterministic by holding a loop busy in a
 * task (bounded by a latch) while another thread writes: writes handed to a loop from another
 * thread must keep the bytes they were given and their place in the stream.
 */
class WriteAcrossThreadsTest {

    @Test
    void aReadOnlyDirectBufferWrittenFromAnotherThreadMayBeReusedOnceWriteReturns()
            throws Exception {
        try (StandaloneTcpService service = TestSupport.startService("borrow");
                ServerSocket peer = TestSupport.plainServer()) {
            Tcp client = TestSupport.await(service.connect(
                    (java.net.InetSocketAddress) peer.getLocalSocketAddress()));
            try (Socket receiver = TestSupport.acceptPlain(peer)) {
                CountDownLatch release = holdBusy(client.loop());
                ByteBuffer bytes = ByteBuffer.allocateDirect(8);
                bytes.put(0, "borrowed".getBytes(StandardCharsets.US_ASCII));
                client.write(bytes.asReadOnlyBuffer());
                // Stream.write: a read-only direct buffer is borrowed, what is not sent at
                // once is copied before write returns; so it may be reused now.
                bytes.put(0, "REUSED!!".getBytes(StandardCharsets.US_ASCII));
                release.countDown();
                assertThat(TestSupport.string(TestSupport.readExactly(
                        receiver.getInputStream(), 8))).isEqualTo("borrowed");
            }
        }
    }

    @Test
    void aWriteThatReturnedOnAnotherThreadGoesOutBeforeALaterWriteOnTheLoopThread()
            throws Exception {
        try (StandaloneTcpService service = TestSupport.startService("order");
                ServerSocket peer = TestSupport.plainServer()) {
            Tcp client = TestSupport.await(service.connect(
                    (java.net.InetSocketAddress) peer.getLocalSocketAddress()));
            try (Socket receiver = TestSupport.acceptPlain(peer)) {
                CountDownLatch entered = new CountDownLatch(1);
                CountDownLatch firstWritten = new CountDownLatch(1);
                client.loop().execute(() -> {
                    entered.countDown();
                    awaitBounded(firstWritten);
                    client.write(TestSupport.directAscii("second")); // on the loop thread
                });
                assertThat(entered.await(10, SECONDS)).isTrue();
                client.write(TestSupport.ascii("first-")); // returns before the loop writes
                firstWritten.countDown();
                assertThat(TestSupport.string(TestSupport.readExactly(
                        receiver.getInputStream(), 12))).isEqualTo("first-second");
            }
        }
    }

    @Test
    void theReadViewWrittenToAStreamOnAnotherLoopKeepsTheBytesItWasGiven() throws Exception {
        try (StandaloneTcpService service = StandaloneTcpService.start(
                new TcpServiceSettings(2, 64 * 1024, TestSupport.uniquePrefix("proxy")));
                ServerSocket sink = TestSupport.plainServer()) {
            // The upstream connection on one loop, the proxy's listener on the other.
            Tcp upstream = TestSupport.await(service.connect(
                    (java.net.InetSocketAddress) sink.getLocalSocketAddress()));
            Tcp listener = ByteExactStressTest.newTcpOn(service, otherLoop(service,
                    upstream.loop()));
            try (Socket sinkSide = TestSupport.acceptPlain(sink)) {
                CountDownLatch secondRead = new CountDownLatch(1);
                CountDownLatch firstRelayed = new CountDownLatch(1);
                AtomicInteger reads = new AtomicInteger();
                listener.bind(TestSupport.loopback(0));
                listener.listen(16, (server, error) -> {
                    try {
                        server.accept().startReading(new ReadHandler() {
                            @Override
                            public void onRead(Stream stream, ByteBuffer data) {
                                if (reads.incrementAndGet() == 1) {
                                    upstream.write(data); // the README's "write the read view"
                                    firstRelayed.countDown();
                                } else {
                                    secondRead.countDown(); // the read buffer now holds these
                                }
                            }
                        });
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                // The upstream's loop is busy until the proxy has read again.
                CountDownLatch entered = new CountDownLatch(1);
                upstream.loop().execute(() -> {
                    entered.countDown();
                    awaitBounded(secondRead);
                });
                assertThat(entered.await(10, SECONDS)).isTrue();
                try (Socket client = TestSupport.plainClient(listener.localAddress())) {
                    client.getOutputStream().write("11111111".getBytes(StandardCharsets.US_ASCII));
                    assertThat(firstRelayed.await(10, SECONDS)).isTrue();
                    client.getOutputStream().write("22222222".getBytes(StandardCharsets.US_ASCII));
                    assertThat(TestSupport.string(TestSupport.readExactly(
                            sinkSide.getInputStream(), 8))).isEqualTo("11111111");
                }
            }
        }
    }

    /** Makes {@code loop} run a task that waits (bounded) until the returned latch opens. */
    private static CountDownLatch holdBusy(Loop loop) throws InterruptedException {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        loop.execute(() -> {
            entered.countDown();
            awaitBounded(release);
        });
        assertThat(entered.await(10, SECONDS)).isTrue();
        return release;
    }

    private static void awaitBounded(CountDownLatch latch) {
        try {
            latch.await(10, SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Loop otherLoop(StandaloneTcpService service, Loop not) {
        return service.loops().stream().filter(l -> l != not).findFirst().orElseThrow();
    }
}
