package dev.uvtcp.service;

import static dev.uvtcp.service.TestSupport.acceptPlain;
import static dev.uvtcp.service.TestSupport.await;
import static dev.uvtcp.service.TestSupport.readExactly;
import static dev.uvtcp.service.TestSupport.string;
import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.ReadHandler;
import dev.uvtcp.Stream;
import dev.uvtcp.Tcp;
import dev.uvtcp.UvException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Stream reads and writes against real loopback peers. */
class StreamIoTest {

    private static final int ECHO_BYTES = 8 * 1024 * 1024;

    private StandaloneTcpService service;
    private ServerSocket peerServer;

    @BeforeEach
    void start() throws Exception {
        service = TestSupport.startService("io");
        peerServer = TestSupport.plainServer();
    }

    @AfterEach
    void stop() throws Exception {
        service.close();
        peerServer.close();
    }

    private Tcp connectedClient() {
        return await(service.connect((InetSocketAddress) peerServer.getLocalSocketAddress()));
    }

    @Test
    void writeSendsTheBytesAndAdvancesThePosition() throws Exception {
        Tcp client = connectedClient();
        try (Socket peer = acceptPlain(peerServer)) {
            ByteBuffer heap = TestSupport.ascii("xxhello");
            heap.position(2);
            await(client.write(heap));
            assertThat(heap.position()).isEqualTo(heap.limit());
            assertThat(string(readExactly(peer.getInputStream(), 5))).isEqualTo("hello");

            ByteBuffer direct = TestSupport.directAscii("direct");
            await(client.write(direct));
            assertThat(direct.hasRemaining()).isFalse();
            assertThat(string(readExactly(peer.getInputStream(), 6))).isEqualTo("direct");
        }
    }

    @Test
    void heapBufferMayBeReusedAsSoonAsWriteReturns() throws Exception {
        Tcp client = connectedClient();
        try (Socket peer = acceptPlain(peerServer)) {
            byte[] bytes = "original".getBytes(StandardCharsets.UTF_8);
            ByteBuffer heap = ByteBuffer.wrap(bytes);
            CompletableFuture<Void> written = client.write(heap).toCompletableFuture();
            java.util.Arrays.fill(bytes, (byte) 'X');
            await(written);
            assertThat(string(readExactly(peer.getInputStream(), 8))).isEqualTo("original");
        }
    }

    @Test
    void writevSendsSeveralHeapAndDirectBuffersInOrder() throws Exception {
        Tcp client = connectedClient();
        try (Socket peer = acceptPlain(peerServer)) {
            ByteBuffer[] parts = {
                TestSupport.ascii("one "),
                TestSupport.directAscii("two "),
                TestSupport.ascii(""),
                TestSupport.ascii("three "),
                TestSupport.directAscii("four "),
                ByteBuffer.wrap("..five".getBytes(StandardCharsets.UTF_8), 2, 4).slice(),
            };
            await(client.write(parts));
            for (ByteBuffer part : parts) {
                assertThat(part.hasRemaining()).isFalse();
            }
            String expected = "one two three four five";
            assertThat(string(readExactly(peer.getInputStream(), expected.length())))
                    .isEqualTo(expected);
        }
    }

    @Test
    void writevOfManyBuffersKeepsTheirOrder() throws Exception {
        Tcp client = connectedClient();
        try (Socket peer = acceptPlain(peerServer)) {
            ByteBuffer[] parts = new ByteBuffer[100];
            StringBuilder expected = new StringBuilder();
            for (int i = 0; i < parts.length; i++) {
                String s = i + ",";
                expected.append(s);
                parts[i] = i % 2 == 0 ? TestSupport.ascii(s) : TestSupport.directAscii(s);
            }
            await(client.write(parts));
            assertThat(string(readExactly(peer.getInputStream(), expected.length())))
                    .isEqualTo(expected.toString());
        }
    }

    @Test
    void tryWriteReturnsBytesWrittenAndAdvancesPositions() throws Exception {
        Tcp client = connectedClient();
        try (Socket peer = acceptPlain(peerServer)) {
            ByteBuffer heap = TestSupport.ascii("try-");
            ByteBuffer direct = TestSupport.directAscii("write");
            int written = client.tryWrite(heap, direct);
            assertThat(written).isEqualTo(9);
            assertThat(heap.hasRemaining()).isFalse();
            assertThat(direct.hasRemaining()).isFalse();
            assertThat(string(readExactly(peer.getInputStream(), 9))).isEqualTo("try-write");
        }
    }

    @Test
    void shutdownSendsEofWhileTheOtherDirectionStillWorks() throws Exception {
        Tcp client = connectedClient();
        try (Socket peer = acceptPlain(peerServer)) {
            TestSupport.Collector reads = new TestSupport.Collector();
            client.startReading(reads);
            client.write(TestSupport.ascii("last words"));
            await(client.shutdown());
            assertThat(client.isWritable()).isFalse();
            assertThat(client.isReadable()).isTrue();

            InputStream in = peer.getInputStream();
            assertThat(string(readExactly(in, 10))).isEqualTo("last words");
            assertThat(in.read()).as("EOF after shutdown").isEqualTo(-1);

            OutputStream out = peer.getOutputStream();
            out.write("reply after shutdown".getBytes(StandardCharsets.UTF_8));
            out.flush();
            assertThat(reads.takeString(20)).isEqualTo("reply after shutdown");
            peer.shutdownOutput();
            await(reads.end);
            assertThat(client.isReadable()).isFalse();
        }
    }

    @Test
    void stopReadingPausesDeliveryAndStartReadingResumesWithLaterData() throws Exception {
        Tcp client = connectedClient();
        try (Socket peer = acceptPlain(peerServer)) {
            OutputStream out = peer.getOutputStream();
            TestSupport.Collector first = new TestSupport.Collector();
            client.startReading(first);
            out.write("one".getBytes(StandardCharsets.UTF_8));
            assertThat(first.takeString(3)).isEqualTo("one");

            client.stopReading();
            client.stopReading(); // idempotent
            out.write("two".getBytes(StandardCharsets.UTF_8));
            // A round trip through the loop's I/O instead of a sleep: once an echo served by
            // the same loop answers, the loop has polled since "two" arrived (loopback hands it
            // over within the write), and would have delivered it had reading gone on.
            Tcp echo = TestSupport.startEchoServer(service);
            try (Socket probe = TestSupport.plainClient(echo.localAddress())) {
                assertThat(TestSupport.echoesByte(probe, 7)).as("the loop's I/O round trip")
                        .isTrue();
            }
            assertThat(first.reads).as("nothing delivered while stopped").isEmpty();

            TestSupport.Collector second = new TestSupport.Collector();
            client.startReading(second);
            assertThat(second.takeString(3)).isEqualTo("two");
            out.write("three".getBytes(StandardCharsets.UTF_8));
            assertThat(second.takeString(5)).isEqualTo("three");
            assertThat(first.reads).isEmpty();
        }
    }

    @Test
    void startReadingAgainReplacesTheHandler() throws Exception {
        Tcp client = connectedClient();
        try (Socket peer = acceptPlain(peerServer)) {
            TestSupport.Collector first = new TestSupport.Collector();
            TestSupport.Collector second = new TestSupport.Collector();
            client.startReading(first);
            client.startReading(second);
            peer.getOutputStream().write("to second".getBytes(StandardCharsets.UTF_8));
            assertThat(second.takeString(9)).isEqualTo("to second");
            assertThat(first.reads).isEmpty();
        }
    }

    @Test
    void eightMebibytesOfRandomBytesEchoIntactToAPlainClient() throws Exception {
        Tcp echo = TestSupport.startEchoServer(service);
        byte[] data = new byte[ECHO_BYTES];
        new Random(20240601).nextBytes(data);
        CRC32 sent = new CRC32();
        sent.update(data);

        ExecutorService writer = Executors.newSingleThreadExecutor();
        try (Socket client = TestSupport.plainClient(echo.localAddress())) {
            Future<?> writing = writer.submit(() -> {
                OutputStream out = client.getOutputStream();
                for (int off = 0; off < data.length; off += 100_000) {
                    out.write(data, off, Math.min(100_000, data.length - off));
                }
                client.shutdownOutput();
                return null;
            });
            CRC32 received = new CRC32();
            InputStream in = client.getInputStream();
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            int n;
            while ((n = in.read(buffer)) > 0) {
                received.update(buffer, 0, n);
                total += n;
            }
            writing.get(TestSupport.TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertThat(total).as("bytes echoed before EOF").isEqualTo(ECHO_BYTES);
            assertThat(received.getValue()).as("CRC32 of the echo").isEqualTo(sent.getValue());
        } finally {
            writer.shutdownNow();
        }
    }

    @Test
    void echoedReadBuffersStayIntactWhileTheirWritesWaitForASlowPeer() throws Exception {
        // The echo server passes each read's buffer to write (allowed by ReadHandler). Its
        // writes queue up while this client does not read, so the bytes of every queued write
        // must survive the reads that follow on the same loop.
        Tcp echo = TestSupport.startEchoServer(service);
        byte[] data = new byte[ECHO_BYTES];
        new Random(7).nextBytes(data);
        CRC32 sent = new CRC32();
        sent.update(data);
        try (Socket client = new Socket()) {
            client.setReceiveBufferSize(32 * 1024);
            client.connect(echo.localAddress(), 10_000);
            client.setSoTimeout(10_000);
            OutputStream out = client.getOutputStream();
            for (int off = 0; off < data.length; off += 100_000) {
                out.write(data, off, Math.min(100_000, data.length - off));
            }
            client.shutdownOutput();
            CRC32 received = new CRC32();
            InputStream in = client.getInputStream();
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            int n;
            while ((n = in.read(buffer)) > 0) {
                received.update(buffer, 0, n);
                total += n;
            }
            assertThat(total).as("bytes echoed before EOF").isEqualTo(ECHO_BYTES);
            assertThat(received.getValue()).as("CRC32 of the echo").isEqualTo(sent.getValue());
        }
    }

    @Test
    void eightMebibytesOfRandomBytesEchoIntactBetweenUvtcpClientAndServer() throws Exception {
        Tcp echo = TestSupport.startEchoServer(service);
        byte[] data = new byte[ECHO_BYTES];
        new Random(42).nextBytes(data);
        CRC32 sent = new CRC32();
        sent.update(data);

        Tcp client = await(service.connect(echo.localAddress()));
        CRC32 received = new CRC32();
        AtomicLong total = new AtomicLong();
        CompletableFuture<Long> eof = new CompletableFuture<>();
        client.startReading(new ReadHandler() {
            @Override
            public void onRead(Stream stream, ByteBuffer bytes) {
                total.addAndGet(bytes.remaining());
                received.update(bytes);
            }

            @Override
            public void onEnd(Stream stream) {
                eof.complete(total.get());
            }

            @Override
            public void onError(Stream stream, UvException error) {
                eof.completeExceptionally(error);
            }
        });
        for (int off = 0; off < data.length; off += 256 * 1024) {
            client.write(ByteBuffer.wrap(data, off, Math.min(256 * 1024, data.length - off)));
        }
        client.shutdown();
        assertThat(await(eof)).as("bytes echoed before EOF").isEqualTo(ECHO_BYTES);
        assertThat(received.getValue()).as("CRC32 of the echo").isEqualTo(sent.getValue());
    }

    @Test
    void lowLevelListenHandsWaitingConnectionsToAccept() throws Exception {
        Tcp server = service.newTcp();
        server.bind(TestSupport.loopback(0));
        CompletableFuture<Tcp> accepted = new CompletableFuture<>();
        server.listen(8, (listener, error) -> {
            if (listener != server) {
                accepted.completeExceptionally(new AssertionError("handler got " + listener));
                return;
            }
            if (error != null) {
                accepted.completeExceptionally(error);
                return;
            }
            try {
                Tcp connection = (Tcp) listener.accept();
                connection.startReading(TestSupport.ECHO);
                accepted.complete(connection);
            } catch (UvException e) {
                accepted.completeExceptionally(e);
            }
        });
        assertThat(server.isActive()).isTrue();
        try (Socket client = TestSupport.plainClient(server.localAddress())) {
            Tcp connection = await(accepted);
            assertThat(connection.loop()).isSameAs(server.loop());
            assertThat(service.handles()).contains(server, connection);
            assertThat(connection.remoteAddress().getPort()).isEqualTo(client.getLocalPort());
            client.getOutputStream().write("accepted".getBytes(StandardCharsets.UTF_8));
            assertThat(string(readExactly(client.getInputStream(), 8))).isEqualTo("accepted");
        }
    }

    @Test
    void acceptFromAnotherThreadTakesTheWaitingConnection() throws Exception {
        Tcp server = service.newTcp();
        server.bind(TestSupport.loopback(0));
        CompletableFuture<Void> waiting = new CompletableFuture<>();
        server.listen(8, (listener, error) -> waiting.complete(null));
        try (Socket client = TestSupport.plainClient(server.localAddress())) {
            await(waiting);
            Tcp connection = server.accept();
            assertThat(connection.remoteAddress().getPort()).isEqualTo(client.getLocalPort());
            connection.write(TestSupport.ascii("hi"));
            assertThat(string(readExactly(client.getInputStream(), 2))).isEqualTo("hi");
        }
    }
}
