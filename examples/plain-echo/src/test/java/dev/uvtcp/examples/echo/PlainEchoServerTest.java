package dev.uvtcp.examples.echo;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plain-classpath echo server as a user runs it, in its own JVM: it serves, Ctrl-C
 * (SIGTERM) ends it, and when it cannot serve it says so in one line and exits with a
 * non-zero status instead of hanging on its loop thread. Every process is stopped by PID in a
 * {@code finally}.
 */
class PlainEchoServerTest {

    private static final long SECONDS = 10;

    @TempDir
    Path dir;

    @Test
    void whenItsPortIsTakenItPrintsOneLineOnStderrAndExitsNonZeroWithinSeconds()
            throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            long started = System.nanoTime();
            Process server = start("127.0.0.1", Integer.toString(port));
            try {
                assertThat(server.waitFor(SECONDS, TimeUnit.SECONDS))
                        .as("the server exits by itself").isTrue();
                long millis = (System.nanoTime() - started) / 1_000_000;
                List<String> err = lines("err");
                System.out.printf("port taken: exit status %d after %d ms; stderr: %s%n",
                        server.exitValue(), millis, err);
                assertThat(server.exitValue()).isNotZero();
                assertThat(err).as("stderr").hasSize(1);
                assertThat(err.get(0)).startsWith("uvtcp echo server: ")
                        .contains("127.0.0.1:" + port).contains("EADDRINUSE")
                        .doesNotContain("Exception");
                assertThat(lines("out")).as("stdout").isEmpty();
            } finally {
                stop(server);
            }
        }
    }

    @Test
    void aPortThatIsNotANumberIsOneLineAndStatusTwo() throws Exception {
        Process server = start("127.0.0.1", "seven");
        try {
            assertThat(server.waitFor(SECONDS, TimeUnit.SECONDS)).isTrue();
            assertThat(server.exitValue()).isEqualTo(2);
            assertThat(lines("err")).singleElement().asString().contains("'seven'");
        } finally {
            stop(server);
        }
    }

    @Test
    void itEchoesAndSigtermStopsIt() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Process server = start("127.0.0.1", Integer.toString(port));
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
            while (lines("out").isEmpty() && server.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(lines("out")).as("stdout (stderr: %s)", lines("err")).singleElement()
                    .asString().startsWith("uvtcp echo server on 127.0.0.1:" + port);
            try (Socket client = new Socket()) {
                client.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                client.setSoTimeout(5000);
                client.getOutputStream().write("hello".getBytes(UTF_8));
                assertThat(new String(client.getInputStream().readNBytes(5), UTF_8))
                        .isEqualTo("hello");
            }
            server.destroy(); // SIGTERM, as Ctrl-C's SIGINT: the shutdown hook closes uvtcp
            assertThat(server.waitFor(SECONDS, TimeUnit.SECONDS)).as("exits on SIGTERM")
                    .isTrue();
            assertThat(lines("err")).isEmpty();
        } finally {
            stop(server);
        }
    }

    private Process start(String... args) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new java.util.ArrayList<>(List.of(java.toString(), "-cp",
                System.getProperty("java.class.path"), PlainEchoServer.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command)
                .redirectOutput(dir.resolve("out").toFile())
                .redirectError(dir.resolve("err").toFile())
                .start();
    }

    private List<String> lines(String name) throws IOException {
        Path file = dir.resolve(name);
        return Files.exists(file) ? Files.readAllLines(file, UTF_8) : List.of();
    }

    /** Stops the process by its PID if it still runs, and waits for it. */
    private static void stop(Process process) throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(SECONDS, TimeUnit.SECONDS);
        }
    }
}
