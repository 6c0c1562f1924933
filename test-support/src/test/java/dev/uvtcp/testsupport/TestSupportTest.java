package dev.uvtcp.testsupport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The helpers against real loopback sockets and real child processes. */
class TestSupportTest {

    @TempDir
    Path dir;

    @Test
    void aFreePortRefusesAndAListeningOneEchoesARoundTrip() throws Exception {
        int free = Sockets.freePort();
        assertThat(Sockets.refuses(free)).isTrue();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            // The kernel completes the connect from the backlog: not refused.
            assertThat(Sockets.refuses(server.getLocalPort())).isFalse();
        }
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Thread echo = new Thread(() -> {
                try (Socket peer = server.accept()) {
                    peer.getOutputStream().write(peer.getInputStream().readNBytes(5));
                } catch (Exception ignored) {
                    // the assertion below reports it
                }
            });
            echo.start();
            assertThat(Sockets.awaitRoundTrip(server.getLocalPort(), "hello",
                    Duration.ofSeconds(10))).isEqualTo("hello");
            echo.join(10_000);
        }
    }

    @Test
    void awaitFailsWithWhatItWaitedForAndGivesUpAtOnceOnAnAbort() {
        assertThatThrownBy(() -> Await.until("the impossible", Duration.ofMillis(50),
                () -> false)).isInstanceOf(AssertionError.class)
                .hasMessage("not within 50 ms: the impossible");
        long start = System.nanoTime();
        assertThatThrownBy(() -> Await.until("the impossible", Duration.ofSeconds(30),
                () -> false, () -> "the server ended"))
                .isInstanceOf(AssertionError.class)
                .hasMessage("gave up waiting for the impossible: the server ended");
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(10));
    }

    @Test
    void aChildProcessIsSeenFromOutsideAndStoppedByPidWithWhatItStarted() throws Exception {
        // A shell that starts a grandchild and waits: stop must end both.
        ChildProcess child = ChildProcess.start("a shell", new ProcessBuilder("/bin/sh", "-c",
                "sleep 300 & echo started; wait"), dir.resolve("out.txt"));
        try {
            child.awaitOutput("started", Duration.ofSeconds(10));
            List<ProcessHandle> grandchildren = child.process().descendants().toList();
            assertThat(grandchildren).isNotEmpty();
            assertThat(child.descriptorCount()).isGreaterThanOrEqualTo(3);
            assertThat(child.threadCount()).isEqualTo(1);
            assertThat(Processes.descriptors(child.process().pid())).containsKey(1);

            child.stop();

            assertThat(child.process().isAlive()).isFalse();
            for (ProcessHandle grandchild : grandchildren) {
                grandchild.onExit().get(10, TimeUnit.SECONDS);
            }
            assertThat(child.descriptorCount()).isEqualTo(-1);
            assertThatThrownBy(() -> child.awaitOutput("never", Duration.ofSeconds(10)))
                    .isInstanceOf(AssertionError.class).hasMessageContaining("a shell ended");
        } finally {
            child.stop();
        }
    }

    @Test
    void aChildJvmRunsWithThisJvmsJava() throws Exception {
        Path source = Files.writeString(dir.resolve("Hello.java"),
                "class Hello { public static void main(String[] a) {"
                        + " System.out.println(\"hello \" + a[0]); } }");
        try (ChildProcess jvm = ChildProcess.startJava("a JVM", dir, dir.resolve("jvm.txt"),
                List.of(source.toString(), "child"))) {
            assertThat(jvm.awaitExit(Duration.ofSeconds(60))).isZero();
            assertThat(jvm.output()).isEqualTo("hello child\n");
            assertThat(new String(Files.readAllBytes(dir.resolve("jvm.txt")), UTF_8))
                    .isEqualTo(jvm.output());
        }
    }
}
