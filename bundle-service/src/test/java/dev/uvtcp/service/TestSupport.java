package dev.uvtcp.service;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.uvtcp.Handle;
import dev.uvtcp.ReadHandler;
import dev.uvtcp.Stream;
import dev.uvtcp.Tcp;
import dev.uvtcp.TcpService;
import dev.uvtcp.UvException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * Shared helpers of the service tests: services, echo servers, plain-socket peers, probes.
 * Public for the tests of other packages (the libuv conformance tests).
 */
public final class TestSupport {

    /** Every wait in the tests is bounded by this. */
    public static final long TIMEOUT_SECONDS = 10;
    public static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private static final AtomicInteger PREFIXES = new AtomicInteger();

    private TestSupport() {
    }

    // ---- services ----

    /** A thread name prefix no other test uses, e.g. {@code "uvt-ref-3-"}. */
    public static String uniquePrefix(String what) {
        return "uvt-" + what + "-" + PREFIXES.incrementAndGet() + "-";
    }

    /** A one-loop service with a unique thread name prefix. */
    public static StandaloneTcpService startService(String what) throws UvException {
        return StandaloneTcpService.start(
                TcpServiceSettings.defaults().withThreadNamePrefix(uniquePrefix(what)));
    }

    public static InetSocketAddress loopback(int port) {
        return new InetSocketAddress(LOOPBACK, port);
    }

    // ---- stages ----

    /** Waits (bounded) for a stage and returns its value; fails the test on error or timeout. */
    public static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(TIMEOUT_SECONDS, SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("stage failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("stage did not complete within " + TIMEOUT_SECONDS + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Waits (bounded) for a stage to fail and returns the cause; fails if it succeeds. */
    public static Throwable failureOf(CompletionStage<?> stage) {
        try {
            Object value = stage.toCompletableFuture().get(TIMEOUT_SECONDS, SECONDS);
            return fail("expected the stage to fail, but it completed with " + value);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            return fail("stage did not complete within " + TIMEOUT_SECONDS + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted");
        }
    }

    /** Polls {@code condition} every 10 ms for up to {@link #TIMEOUT_SECONDS}; true if it held. */
    public static boolean eventually(BooleanSupplier condition) {
        long deadline = System.nanoTime() + SECONDS.toNanos(TIMEOUT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            sleep(10);
        }
        return true;
    }

    public static void sleep(long millis) {
        try {
            MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    // ---- uvtcp servers and clients ----

    /**
     * A uvtcp echo server on 127.0.0.1 and a free port: every connection writes back what it
     * reads (passing the read buffer straight to write, as {@link ReadHandler} allows) and
     * shuts down its sending side when the peer does.
     */
    public static Tcp startEchoServer(TcpService service) throws UvException {
        return service.listen("127.0.0.1", 0, 1024, connection -> {
            try {
                connection.startReading(ECHO);
            } catch (UvException e) {
                connection.close();
            }
        });
    }

    /** Echoes what it reads; shuts down on EOF and closes once the shutdown is done. */
    public static final ReadHandler ECHO = new ReadHandler() {
        @Override
        public void onRead(Stream stream, ByteBuffer data) {
            stream.write(data);
        }

        @Override
        public void onEnd(Stream stream) {
            stream.shutdown().whenComplete((ignored, error) -> stream.close());
        }
    };

    /**
     * Collects what a stream reads into a queue of byte arrays (one per read), plus a
     * completion on EOF or error.
     */
    public static final class Collector implements ReadHandler {
        public final BlockingQueue<byte[]> reads = new LinkedBlockingQueue<>();
        public final CompletableFuture<Void> end = new CompletableFuture<>();
        public final AtomicInteger readCalls = new AtomicInteger();

        @Override
        public void onRead(Stream stream, ByteBuffer data) {
            readCalls.incrementAndGet();
            byte[] copy = new byte[data.remaining()];
            data.get(copy);
            reads.add(copy);
        }

        @Override
        public void onEnd(Stream stream) {
            end.complete(null);
        }

        @Override
        public void onError(Stream stream, UvException error) {
            end.completeExceptionally(error);
        }

        /** Waits (bounded) until {@code n} bytes in total were read, and returns them. */
        public byte[] take(int n) {
            byte[] taken = takeAtLeast(n);
            assertThat(taken.length).as("bytes read beyond the %d expected", n).isEqualTo(n);
            return taken;
        }

        /**
         * Waits (bounded) until at least {@code n} bytes were read, and returns the reads that
         * made them up (a read may carry more: up to the loop's read buffer).
         */
        public byte[] takeAtLeast(int n) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            long deadline = System.nanoTime() + SECONDS.toNanos(TIMEOUT_SECONDS);
            while (out.size() < n) {
                long left = deadline - System.nanoTime();
                byte[] chunk;
                try {
                    chunk = left <= 0 ? null : reads.poll(left, java.util.concurrent.TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
                if (chunk == null) {
                    throw new AssertionError("read only " + out.size() + " of " + n + " bytes: "
                            + new String(out.toByteArray(), StandardCharsets.ISO_8859_1));
                }
                out.writeBytes(chunk);
            }
            return out.toByteArray();
        }

        public String takeString(int n) {
            return new String(take(n), StandardCharsets.UTF_8);
        }
    }

    /** A server, a client connected to it and the connection the server accepted for it. */
    public record Connection(Tcp server, Tcp client, Tcp accepted) {
    }

    /**
     * A uvtcp server of {@code service} on 127.0.0.1 and a free port, a uvtcp client connected
     * to it, and the connection the server accepted; neither end is reading.
     */
    public static Connection connection(TcpService service) throws UvException {
        CompletableFuture<Tcp> accepted = new CompletableFuture<>();
        Tcp server = service.listen("127.0.0.1", 0, 16, accepted::complete);
        Tcp client = await(service.connect(server.localAddress()));
        return new Connection(server, client, await(accepted));
    }

    /** Work for {@link #onLoopOf}: may throw anything, which fails the returned wait. */
    @FunctionalInterface
    public interface LoopWork<T> {
        T run() throws Exception;
    }

    /**
     * Runs {@code work} as one task on {@code handle}'s loop thread and waits (bounded) for its
     * result: everything in it happens with no loop iteration in between, e.g. a request is
     * certainly still pending when the next call is made.
     */
    public static <T> T onLoopOf(Handle handle, LoopWork<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        handle.loop().execute(() -> {
            try {
                result.complete(work.run());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return await(result);
    }

    /**
     * Fills the accept queue of a plain listener of backlog 1 that never accepts: connects
     * plain sockets (kept in {@code fillers}, for the caller to close) until one does not get
     * through within 200 ms (at most 16). Linux then drops further SYNs rather than refusing
     * them, so a connect to {@code address} stays pending.
     */
    public static void fillAcceptQueue(InetSocketAddress address, List<Socket> fillers)
            throws IOException {
        for (int i = 0; i < 16; i++) {
            Socket s = new Socket();
            try {
                s.connect(address, 200);
                fillers.add(s);
            } catch (java.net.SocketTimeoutException queueFull) {
                s.close();
                return;
            }
        }
        throw new AssertionError("the accept queue of a backlog-1 listener never filled");
    }

    // ---- plain Java peers ----

    /** A plain server socket on 127.0.0.1 and a free port, for a blocking peer. */
    public static ServerSocket plainServer() throws IOException {
        ServerSocket server = new ServerSocket();
        server.bind(loopback(0), 1024);
        server.setSoTimeout((int) SECONDS.toMillis(TIMEOUT_SECONDS));
        return server;
    }

    /** A blocking plain client connected to {@code address}, reads time out. */
    public static Socket plainClient(InetSocketAddress address) throws IOException {
        Socket socket = new Socket();
        socket.connect(address, (int) SECONDS.toMillis(TIMEOUT_SECONDS));
        socket.setSoTimeout((int) SECONDS.toMillis(TIMEOUT_SECONDS));
        return socket;
    }

    /** Accepts one connection on a plain server, with a read timeout set on it. */
    public static Socket acceptPlain(ServerSocket server) throws IOException {
        Socket socket = server.accept();
        socket.setSoTimeout((int) SECONDS.toMillis(TIMEOUT_SECONDS));
        return socket;
    }

    /** Reads exactly {@code n} bytes from a plain socket (bounded by its read timeout). */
    public static byte[] readExactly(InputStream in, int n) throws IOException {
        byte[] bytes = in.readNBytes(n);
        assertThat(bytes).as("bytes read before EOF").hasSize(n);
        return bytes;
    }

    /** A free port on 127.0.0.1 that nobody listens on (bound and released just now). */
    public static int closedPort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, LOOPBACK)) {
            return probe.getLocalPort();
        }
    }

    public static ByteBuffer ascii(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    public static ByteBuffer directAscii(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    }

    public static String string(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * Writes one byte on a plain socket and reads it back: true if it came back, false on EOF,
     * reset or the socket's read timeout (a connection the server shed or refused).
     */
    public static boolean echoesByte(java.net.Socket socket, int value) {
        return echoOutcome(socket, value) == EchoOutcome.ECHOED;
    }

    /** What became of one byte written on a plain socket to an echo server. */
    public enum EchoOutcome {
        /** It came back. */
        ECHOED,
        /** The connection ended (EOF or reset): the server shed or refused it. */
        ENDED,
        /** Nothing came within the socket's read timeout: e.g. waiting in the backlog. */
        NO_ANSWER
    }

    public static EchoOutcome echoOutcome(java.net.Socket socket, int value) {
        try {
            socket.getOutputStream().write(value);
            socket.getOutputStream().flush();
            return socket.getInputStream().read() == (value & 0xff)
                    ? EchoOutcome.ECHOED : EchoOutcome.ENDED;
        } catch (java.net.SocketTimeoutException noAnswer) {
            return EchoOutcome.NO_ANSWER;
        } catch (IOException ended) {
            return EchoOutcome.ENDED;
        }
    }

    // ---- process probes ----

    /**
     * Loads the native library, the classes and the JDK's socket machinery once, so that
     * descriptors and threads the JVM keeps for good are not counted against a test.
     */
    public static void warmUpForCounting() throws Exception {
        try (StandaloneTcpService service = startService("warm")) {
            Tcp server = startEchoServer(service);
            try (Socket client = plainClient(server.localAddress())) {
                client.getOutputStream().write(1);
                client.getInputStream().read();
            }
            await(service.connect(server.localAddress())).close();
        }
        try (ServerSocket s = plainServer()) {
            plainClient((InetSocketAddress) s.getLocalSocketAddress()).close();
        }
        openFdCount();
        threadsNamed("x");
    }

    /** Number of entries in /proc/self/fd (the listing's own descriptor included each time). */
    public static long openFdCount() {
        try (java.util.stream.Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Number of entries in another process's /proc/PID/fd, or -1 once it has ended. */
    public static long openFdCountOf(long pid) {
        try (java.util.stream.Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return fds.count();
        } catch (IOException ended) {
            return -1;
        }
    }

    /** Live threads whose name starts with {@code prefix}. */
    public static List<String> threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> name.startsWith(prefix))
                .sorted()
                .collect(Collectors.toList());
    }

    /** Whether this machine can bind and connect on ::1. */
    public static boolean ipv6LoopbackAvailable() {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getByName("::1"));
                Socket client = new Socket()) {
            client.connect(server.getLocalSocketAddress(), 2000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Makes {@code fd} a socket listening on a free loopback port that nobody accepts on, as
     * a service manager hands one over (the handle that made it listen is closed again, and
     * its duplicate with it).
     *
     * @return the port
     */
    public static int listeningSocket(TcpService service, int fd) throws Exception {
        Tcp maker = service.open(fd);
        try {
            maker.bind(loopback(0));
            maker.listen(16, (server, error) -> { });
            return maker.localAddress().getPort();
        } finally {
            maker.close();
            await(maker.closeFuture());
        }
    }
}
