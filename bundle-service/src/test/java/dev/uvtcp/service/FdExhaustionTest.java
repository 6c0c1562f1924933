package dev.uvtcp.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The process out of file descriptors: a uvtcp echo server in a forked JVM started with
 * {@code ulimit -n 64} ({@link FdExhaustionServer}) is sent far more connections than it has
 * descriptors for. It must keep running (no crash, no busy loop that never returns), tell
 * the connections it cannot take so (libuv accepts and closes them at once), tell the
 * server's {@code ConnectionHandler.onAcceptError} (EMFILE; unpatched libuv 1.44 did not, see
 * bundle-native's {@code patches/libuv-1.44.2-report-emfile.patch}), and serve again once
 * descriptors are free.
 */
class FdExhaustionTest {

    private static final int LIMIT = 64;
    private static final int CLIENTS = 120;

    @Test
    void aServerOutOfDescriptorsShedsConnectionsKeepsRunningAndRecovers() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        String cp = System.getProperty("java.class.path");
        ProcessBuilder pb = new ProcessBuilder("bash", "-c",
                "ulimit -n " + LIMIT + " && exec \"$0\" -Xmx64m -XX:-UsePerfData -cp \"$1\" "
                        + FdExhaustionServer.class.getName(), java.toString(), cp);
        pb.redirectError(Path.of("target", "fd-exhaustion-server.err").toFile());
        Process child = pb.start();
        List<Socket> clients = new ArrayList<>();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        List<String> acceptErrors = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (PrintWriter control = new PrintWriter(child.getOutputStream(), true,
                StandardCharsets.UTF_8)) {
            Thread reader = new Thread(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(
                        child.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = out.readLine()) != null) {
                        if (line.startsWith("ACCEPT_ERROR ")) {
                            acceptErrors.add(line.substring(13));
                        } else {
                            lines.add(line);
                        }
                    }
                } catch (IOException ignored) {
                    // the child ended
                }
            }, "fdx-child-stdout");
            reader.setDaemon(true);
            reader.start();
            String first = lines.poll(30, TimeUnit.SECONDS);
            assertThat(first).as("child's first line").startsWith("PORT ");
            InetSocketAddress address = TestSupport.loopback(Integer.parseInt(first.substring(5)));
            long pid = child.pid();
            long fdsIdle = fdCount(pid);

            // Many more connections than the child has descriptors for.
            int echoed = 0;
            int shed = 0;
            for (int i = 0; i < CLIENTS; i++) {
                Socket s = new Socket();
                s.connect(address, 5000);
                s.setSoTimeout(3000);
                clients.add(s);
                if (TestSupport.echoesByte(s, 'x')) {
                    echoed++;
                } else {
                    shed++;
                }
            }
            assertThat(child.isAlive()).isTrue();
            assertThat(fdCount(pid)).as("child descriptors").isLessThanOrEqualTo(LIMIT);
            // The child prints the error after libuv shed the connections: it may still be on
            // its way when the last client has seen its EOF.
            boolean outOfDescriptorsReported = TestSupport.eventually(() -> acceptErrors.stream()
                    .anyMatch(e -> e.equals("EMFILE") || e.equals("ENFILE")));
            Figures.report("FdExhaustionTest: limit %d, idle %d fds; %d clients: %d echoed,"
                    + " %d shed; accept errors reported: %s", LIMIT, fdsIdle, CLIENTS,
                    echoed, shed, summary(acceptErrors));
            assertThat(echoed).as("served before the limit").isPositive();
            assertThat(shed).as("connections beyond the limit are closed, not left hanging")
                    .isPositive();
            assertThat(echoed + shed).isEqualTo(CLIENTS);
            assertThat(outOfDescriptorsReported)
                    .as("onAcceptError told EMFILE or ENFILE, got %s", acceptErrors).isTrue();
            // The loop is responsive while out of descriptors.
            control.println("count");
            String count = lines.poll(10, TimeUnit.SECONDS);
            assertThat(count).as("child answers while out of descriptors")
                    .startsWith("CONNECTIONS ");

            // Descriptors free up: the server recovers.
            for (Socket s : clients) {
                s.close();
            }
            clients.clear();
            assertThat(TestSupport.eventually(() -> fdCount(pid) <= fdsIdle))
                    .as("child back to %d descriptors, has %d", fdsIdle, fdCount(pid)).isTrue();
            for (int i = 0; i < 20; i++) {
                try (Socket s = new Socket()) {
                    s.connect(address, 5000);
                    s.setSoTimeout(3000);
                    assertThat(TestSupport.echoesByte(s, 'x')).as("served after recovery (#%d)", i).isTrue();
                }
            }
            assertThat(child.isAlive()).isTrue();
            control.println("quit");
            assertThat(child.waitFor(20, TimeUnit.SECONDS)).as("child ends on quit").isTrue();
            assertThat(child.exitValue()).isZero();
            reader.join(TimeUnit.SECONDS.toMillis(10)); // every line of the child read
            Figures.report("FdExhaustionTest: accept errors reported in all: %s",
                    summary(acceptErrors));
        } finally {
            for (Socket s : clients) {
                s.close();
            }
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Each error name with how often it was reported, e.g. {@code {EMFILE=96}}. */
    private static Map<String, Long> summary(List<String> errors) {
        return errors.stream()
                .collect(Collectors.groupingBy(e -> e, TreeMap::new, Collectors.counting()));
    }

    private static long fdCount(long pid) {
        try (java.util.stream.Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return fds.count();
        } catch (IOException e) {
            return -1;
        }
    }
}
