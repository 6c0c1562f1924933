package dev.uvtcp.service;

import static dev.uvtcp.service.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.Loop;
import dev.uvtcp.ReadHandler;
import dev.uvtcp.Stream;
import dev.uvtcp.Tcp;
import dev.uvtcp.UvException;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The reads of one poll phase reach Java as one batch (one up-call). These tests hold the loop
 * busy while several peers send, so that their reads land in one batch, and pin down what a
 * handler sees then.
 */
class ReadBatchTest {

    private StandaloneTcpService service;
    private Tcp server;
    private final BlockingQueue<Tcp> accepted = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() throws Exception {
        service = TestSupport.startService("batch");
        server = service.listen("127.0.0.1", 0, 64, accepted::add);
    }

    @AfterEach
    void stop() {
        service.close();
    }

    private Tcp nextAccepted() throws InterruptedException {
        Tcp tcp = accepted.poll(TestSupport.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertThat(tcp).as("accepted connection").isNotNull();
        return tcp;
    }

    /** Runs {@code whileBusy} on this thread while the loop's thread sleeps in a task. */
    private static void whileTheLoopIsBusy(Loop loop, ThrowingRunnable whileBusy)
            throws Exception {
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        loop.execute(() -> {
            busy.countDown();
            try {
                done.await(TestSupport.TIMEOUT_SECONDS, TimeUnit.SECONDS);
                Thread.sleep(100); // the peers' bytes reach the kernel's queues meanwhile
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(busy.await(TestSupport.TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        try {
            whileBusy.run();
        } finally {
            done.countDown();
        }
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void everyReadOfOneBatchReachesItsOwnStreamWithItsOwnBytes() throws Exception {
        int peers = 50;
        List<Socket> sockets = new ArrayList<>();
        List<Tcp> streams = new ArrayList<>();
        List<ByteArrayOutputStream> received = new ArrayList<>();
        List<CompletableFuture<Void>> complete = new ArrayList<>();
        try {
            for (int i = 0; i < peers; i++) {
                sockets.add(TestSupport.plainClient((InetSocketAddress) server.localAddress()));
                streams.add(nextAccepted());
            }
            for (int i = 0; i < peers; i++) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                CompletableFuture<Void> all = new CompletableFuture<>();
                int expected = message(i).length;
                received.add(bytes);
                complete.add(all);
                streams.get(i).startReading((stream, data) -> {
                    byte[] chunk = new byte[data.remaining()];
                    data.get(chunk);
                    bytes.write(chunk, 0, chunk.length);
                    if (bytes.size() >= expected) {
                        all.complete(null);
                    }
                });
            }
            whileTheLoopIsBusy(streams.get(0).loop(), () -> {
                for (int i = 0; i < peers; i++) {
                    OutputStream out = sockets.get(i).getOutputStream();
                    out.write(message(i));
                    out.flush();
                }
            });
            for (int i = 0; i < peers; i++) {
                await(complete.get(i));
                int index = i;
                byte[] got = TestSupport.onLoopOf(streams.get(i),
                        () -> received.get(index).toByteArray());
                assertThat(new String(got, StandardCharsets.ISO_8859_1))
                        .isEqualTo(new String(message(i), StandardCharsets.ISO_8859_1));
            }
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    /** Peer i's message: its own length and content, so a mix-up shows. */
    private static byte[] message(int i) {
        StringBuilder text = new StringBuilder();
        for (int k = 0; k <= i; k++) {
            text.append("peer ").append(i).append(" line ").append(k).append('\n');
        }
        return text.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void readingStoppedByAnotherHandlerOfTheSameBatchLosesNothing() throws Exception {
        try (Socket a = TestSupport.plainClient((InetSocketAddress) server.localAddress());
                Socket b = TestSupport.plainClient((InetSocketAddress) server.localAddress())) {
            Tcp first = nextAccepted();
            Tcp second = nextAccepted();
            Recorder onFirst = new Recorder();
            Recorder onSecond = new Recorder();
            onFirst.other = second;
            onFirst.otherRecorder = onSecond;
            onSecond.other = first;
            onSecond.otherRecorder = onFirst;
            first.startReading(onFirst);
            second.startReading(onSecond);
            whileTheLoopIsBusy(first.loop(), () -> {
                a.getOutputStream().write("a-before".getBytes(StandardCharsets.US_ASCII));
                b.getOutputStream().write("b-before".getBytes(StandardCharsets.US_ASCII));
            });
            // Whichever read came first in the batch stopped the other stream, whose read was
            // already made: it still reaches the handler it was read for, after the stop.
            assertThat(onFirst.takeString(8)).isEqualTo("a-before");
            assertThat(onSecond.takeString(8)).isEqualTo("b-before");
            assertThat(onFirst.readAfterStopped || onSecond.readAfterStopped)
                    .as("one read was handed out after its stream was stopped").isTrue();
            // Both are stopped now; what comes next waits in the kernel until reading starts.
            a.getOutputStream().write("a-after".getBytes(StandardCharsets.US_ASCII));
            b.getOutputStream().write("b-after".getBytes(StandardCharsets.US_ASCII));
            Recorder againFirst = new Recorder();
            Recorder againSecond = new Recorder();
            first.startReading(againFirst);
            second.startReading(againSecond);
            assertThat(againFirst.takeString(7)).isEqualTo("a-after");
            assertThat(againSecond.takeString(7)).isEqualTo("b-after");
            assertThat(onFirst.extraReads() + onSecond.extraReads())
                    .as("reads handed to the stopped handlers after the batch").isZero();
        }
    }

    /**
     * A handler that stops its own stream on every read and starts it again from a task: the
     * stream is read again at once after a read that filled the buffer, so the batch must reach
     * the handler first (it once went out from libuv's buffer request, and the stop left libuv
     * calling a cleared read callback: the JVM crashed).
     */
    @Test
    void aHandlerThatStopsItsOwnStreamOnEveryReadOfABulkTransferGetsEveryByteOnce()
            throws Exception {
        int total = 16 * 1024 * 1024;
        try (Socket peer = TestSupport.plainClient((InetSocketAddress) server.localAddress())) {
            Tcp stream = nextAccepted();
            CompletableFuture<Long> done = new CompletableFuture<>();
            ReadHandler stopAndResume = new ReadHandler() {
                private long position;

                @Override
                public void onRead(Stream s, ByteBuffer data) {
                    while (data.hasRemaining()) {
                        if (data.get() != patternAt(position)) {
                            done.completeExceptionally(new AssertionError("byte " + position));
                            s.close();
                            return;
                        }
                        position++;
                    }
                    if (position == total) {
                        done.complete(position);
                        return;
                    }
                    s.stopReading();
                    ReadHandler self = this;
                    s.loop().execute(() -> {
                        try {
                            s.startReading(self);
                        } catch (UvException e) {
                            done.completeExceptionally(e);
                        }
                    });
                }
            };
            stream.startReading(stopAndResume);
            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = peer.getOutputStream();
                    byte[] chunk = new byte[256 * 1024];
                    for (int at = 0; at < total; at += chunk.length) {
                        for (int i = 0; i < chunk.length; i++) {
                            chunk[i] = patternAt(at + i);
                        }
                        out.write(chunk);
                    }
                    out.flush();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertThat(await(done)).isEqualTo(total);
            await(sent);
        }
    }

    private static byte patternAt(long position) {
        return (byte) (position * 31 + (position >>> 13));
    }

    /** Records reads; on its first read stops the other stream's reading. */
    private static final class Recorder implements ReadHandler {
        private final BlockingQueue<byte[]> reads = new LinkedBlockingQueue<>();
        private final ByteArrayOutputStream taken = new ByteArrayOutputStream();
        /** The stream to stop on the first read, and the recorder reading it. */
        volatile Stream other;
        volatile Recorder otherRecorder;
        volatile boolean stopped;
        volatile boolean readAfterStopped;

        @Override
        public void onRead(Stream stream, ByteBuffer data) {
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            readAfterStopped |= stopped;
            reads.add(chunk);
            Stream toStop = other;
            if (toStop != null) {
                other = null;
                toStop.stopReading();
                otherRecorder.stopped = true;
            }
        }

        String takeString(int n) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(
                    TestSupport.TIMEOUT_SECONDS);
            while (taken.size() < n) {
                byte[] chunk = reads.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                assertThat(chunk).as("read within the timeout").isNotNull();
                taken.write(chunk, 0, chunk.length);
            }
            return taken.toString(StandardCharsets.US_ASCII);
        }

        int extraReads() {
            return reads.size();
        }
    }
}
