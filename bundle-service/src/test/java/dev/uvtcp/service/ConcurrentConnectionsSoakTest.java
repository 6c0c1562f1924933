package dev.uvtcp.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.Tcp;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Many concurrent echo connections held with traffic: a uvtcp echo server in this JVM, and an
 * {@link EchoLoadClient} in a forked JVM (each process stays well under the open-file limit of
 * 20,000) that sends a 32-byte message per connection per second and measures echo latency.
 *
 * <p>Default build: 500 connections for 3 s. Soak ({@code -Psoak}): 10,000 connections for
 * 60 s ({@code -Duvtcp.soak.connections=N -Duvtcp.soak.seconds=S}). Prints the server's
 * resident memory and descriptors, and the client's latency percentiles.
 */
class ConcurrentConnectionsSoakTest {

    @Test
    void manyConnectionsHeldWithTrafficAllStayOpenAndAreAnswered() throws Exception {
        boolean soak = Boolean.getBoolean("uvtcp.soak");
        int connections = soak ? Integer.getInteger("uvtcp.soak.connections", 10_000) : 500;
        int seconds = soak ? Integer.getInteger("uvtcp.soak.seconds", 60) : 3;
        int intervalMs = 1000;
        try (StandaloneTcpService service = TestSupport.startService("held")) {
            Tcp server = service.listen("127.0.0.1", 0, 4096, connection -> {
                try {
                    connection.startReading(TestSupport.ECHO);
                } catch (dev.uvtcp.UvException e) {
                    connection.close();
                }
            });
            long fdsBefore = TestSupport.openFdCount();
            long rssBefore = ConnectCycleSoakTest.rssBytes();
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Xmx512m",
                    "-cp", System.getProperty("java.class.path"), EchoLoadClient.class.getName(),
                    Integer.toString(server.localAddress().getPort()),
                    Integer.toString(connections), Integer.toString(seconds),
                    Integer.toString(intervalMs));
            pb.redirectError(Path.of("target", "echo-load-client.err").toFile());
            Process client = pb.start();
            BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(
                        client.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = out.readLine()) != null) {
                        lines.add(line);
                    }
                } catch (java.io.IOException ignored) {
                    // the client ended
                }
            }, "load-client-stdout");
            reader.setDaemon(true);
            reader.start();
            try {
                String connected = lines.poll(120, TimeUnit.SECONDS);
                assertThat(connected).as("client connected").startsWith("CONNECTED ");
                // While held: sample the server every second.
                long rssMax = 0;
                long fdsMax = 0;
                int handlesMax = 0;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
                while (System.nanoTime() < deadline) {
                    rssMax = Math.max(rssMax, ConnectCycleSoakTest.rssBytes());
                    fdsMax = Math.max(fdsMax, TestSupport.openFdCount());
                    handlesMax = Math.max(handlesMax, service.handles().size());
                    TestSupport.sleep(1000);
                }
                String result = lines.poll(60, TimeUnit.SECONDS);
                assertThat(result).as("client result").startsWith("RESULT ");
                assertThat(client.waitFor(60, TimeUnit.SECONDS)).isTrue();
                Map<String, Long> r = parse(result);
                Figures.report("ConcurrentConnectionsSoakTest: %d connections for %d s; "
                        + "%s; client %s; server RSS before %.1f MiB, max %.1f MiB "
                        + "(%.1f KiB per connection); server fds before %d, max %d; "
                        + "handles max %d", connections, seconds, connected, result,
                        rssBefore / 1048576.0, rssMax / 1048576.0,
                        (rssMax - rssBefore) / 1024.0 / connections, fdsBefore, fdsMax,
                        handlesMax);
                assertThat(r.get("connected")).isEqualTo(connections);
                assertThat(r.get("open")).as("still open at the end").isEqualTo(connections);
                assertThat(r.get("errors")).isZero();
                assertThat(handlesMax).isGreaterThanOrEqualTo(connections);
                // Each connection sends once a second; allow for ramp-up and skipped sends.
                assertThat(r.get("samples"))
                        .isGreaterThanOrEqualTo((long) connections * (seconds - 1) / 2);
                // The client is gone: its connections end and the server is back where it was.
                assertThat(TestSupport.eventually(() -> service.handles().size() == 1)).isTrue();
                assertThat(TestSupport.eventually(() -> TestSupport.openFdCount() <= fdsBefore))
                        .isTrue();
            } finally {
                client.destroyForcibly();
                client.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static Map<String, Long> parse(String line) {
        Map<String, Long> values = new java.util.HashMap<>();
        Matcher m = Pattern.compile("(\\w+)=(-?\\d+)").matcher(line);
        while (m.find()) {
            values.put(m.group(1), Long.parseLong(m.group(2)));
        }
        return values;
    }
}
