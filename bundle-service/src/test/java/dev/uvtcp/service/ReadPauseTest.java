package dev.uvtcp.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.ListenOptions;
import dev.uvtcp.ReadHandler;
import dev.uvtcp.Stream;
import dev.uvtcp.Tcp;
import dev.uvtcp.UvException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An echo that ignores its writes' stages (the README's) against a peer that sends a lot before
 * it reads: the stream stops reading while its queued writes are high, so the peer is slowed by
 * TCP instead of the server's memory growing to the write queue limit, and every byte comes
 * back, in order.
 */
class ReadPauseTest {

    private static final long TOTAL = 48L * 1024 * 1024;

    private StandaloneTcpService service;

    @BeforeEach
    void start() throws Exception {
        service = TestSupport.startService("rpause");
    }

    @AfterEach
    void stop() {
        service.close();
    }

    @Test
    void anEchoToAPeerThatReadsLateHoldsLittleAndLosesNothing() throws Exception {
        AtomicLong peakHeld = new AtomicLong();
        AtomicReference<Throwable> writeFailure = new AtomicReference<>();
        // onEnd is the default: the answers still queued are sent before the stream closes.
        ReadHandler echoIgnoringStages = new ReadHandler() {
            @Override
            public void onRead(Stream stream, ByteBuffer data) {
                stream.write(data).whenComplete((ok, error) -> {
                    if (error != null) {
                        writeFailure.compareAndSet(null, error);
                    }
                });
                peakHeld.accumulateAndGet(((UvStream) stream).writeBytesHeld(), Math::max);
            }

        };
        // A limit of 8 MiB: without the pause, the echo would be refused well before 48 MiB.
        Tcp server = service.listen(TestSupport.loopback(0),
                ListenOptions.defaults().withMaxWriteQueueBytes(8L * 1024 * 1024),
                connection -> {
                    try {
                        connection.startReading(echoIgnoringStages);
                    } catch (UvException e) {
                        connection.close();
                    }
                });
        try (Socket peer = new Socket()) {
            peer.connect(server.localAddress(), 5000);
            peer.setSoTimeout(10_000);
            AtomicLong progress = new AtomicLong();
            CompletableFuture<Long> sent = CompletableFuture.supplyAsync(() -> {
                try {
                    OutputStream out = peer.getOutputStream();
                    byte[] chunk = new byte[64 * 1024];
                    long position = 0;
                    while (position < TOTAL) {
                        for (int i = 0; i < chunk.length; i++) {
                            chunk[i] = WriteMemoryChild.pattern(position + i);
                        }
                        out.write(chunk);
                        position += chunk.length;
                        progress.set(position);
                    }
                    peer.shutdownOutput();
                    return position;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            // The peer reads nothing for 2 s: its writes stall once the server stops reading.
            try {
                sent.get(2, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException stillSending) {
                // expected: blocked in write
            }
            long stalledAt = progress.get();
            InputStream in = peer.getInputStream();
            byte[] sink = new byte[256 * 1024];
            long received = 0;
            for (int n; (n = in.read(sink)) >= 0; ) {
                for (int i = 0; i < n; i++) {
                    if (sink[i] != WriteMemoryChild.pattern(received + i)) {
                        throw new AssertionError("byte " + (received + i) + " is wrong");
                    }
                }
                received += n;
            }
            assertThat(sent.get(30, TimeUnit.SECONDS)).isEqualTo(TOTAL);
            assertThat(received).as("bytes echoed back").isEqualTo(TOTAL);
            assertThat(writeFailure.get()).as("a write of the echo failed").isNull();
            Figures.report("read pause: peer sent %d B before it read, echo held at most %d B of"
                    + " writes (limit 8 MiB, pause above 4 MiB), %d B echoed exactly", stalledAt, peakHeld.get(),
                    received);
            assertThat(peakHeld.get()).as("direct memory held by the echo's queued writes")
                    .isLessThanOrEqualTo(8L * 1024 * 1024 / UvStream.READ_PAUSE_DIVISOR
                            + 2L * TcpServiceSettings.DEFAULT_READ_BUFFER_SIZE);
        }
    }
}
