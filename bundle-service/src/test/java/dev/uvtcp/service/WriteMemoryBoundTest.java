package dev.uvtcp.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Queued writes hold about what they carry: heap writes to a peer that never reads, in a JVM
 * with {@code -XX:MaxDirectMemorySize=64m}, never throw an {@code Error}, are refused with
 * ENOBUFS once the limit or direct memory runs out (and after that every write is, so the peer
 * receives an exact prefix), and hold at most 1.25 times their bytes plus a small constant
 * of direct memory (measured through {@code BufferPoolMXBean} "direct", the JVM's own count).
 * The shape of libuv's {@code test-tcp-write-queue-order.c}, under a memory cap.
 */
class WriteMemoryBoundTest {

    private static final long CONSTANT_SLACK = 256 * 1024;

    @ParameterizedTest(name = "{0}: {1} writes of {2} bytes")
    @CsvSource({
        "heap, 10000, 1024",
        "heap, 100000, 10",
        "heap, 1000, 65537",
        "direct, 10000, 1024",
        "direct, 100000, 10",
        "direct, 1000, 65537",
        "heap, 2000, 65537",
        "direct, 2000, 65537",
    })
    void queuedWritesHoldWhatTheyCarryAndRefusalNeverLeavesAGap(String kind, int count, int size)
            throws Exception {
        Map<String, String> r = runChild(kind, count, size);
        long acceptedBytes = Long.parseLong(r.get("acceptedBytes"));
        long peakDirect = Long.parseLong(r.get("peakDirect"));
        long peakQueueHeld = Long.parseLong(r.get("peakQueueHeld"));
        long limit = Long.parseLong(r.get("limit"));
        Figures.report("write memory %s %d x %d B: accepted %d B, refused %s, peak direct %d B"
                + " (%.3f x accepted), queue held %d B, after close %s B", kind, count, size,
                acceptedBytes, r.get("refused"), peakDirect,
                acceptedBytes == 0 ? 0.0 : (double) peakDirect / acceptedBytes, peakQueueHeld,
                r.get("directAfter"));

        assertThat(r.get("thrown")).as("write() threw").isEqualTo("none");
        assertThat(r.get("acceptedAfterRefusal")).as("writes accepted after a refusal")
                .isEqualTo("0");
        if (!r.get("errors").isEmpty()) {
            assertThat(r.get("errors")).as("why writes were refused").isEqualTo("ENOBUFS");
        }
        assertThat(Long.parseLong(r.get("received"))).as("bytes the peer received")
                .isEqualTo(acceptedBytes);
        assertThat(r.get("firstBad")).as("first wrong byte").isEqualTo("-1");
        assertThat(peakQueueHeld).as("held by the queue, within its limit")
                .isLessThanOrEqualTo(limit);
        assertThat(peakDirect).as("direct memory held while queued")
                .isLessThanOrEqualTo(kind.equals("heap")
                        ? (long) (1.25 * acceptedBytes) + CONSTANT_SLACK
                        : CONSTANT_SLACK);
        long payload = (long) count * size;
        if (payload <= 32L * 1024 * 1024) {
            assertThat(acceptedBytes).as("everything fits: nothing refused").isEqualTo(payload);
        } else if (payload > limit + 16L * 1024 * 1024) {
            assertThat(Integer.parseInt(r.get("refused"))).as("refused beyond the limit")
                    .isPositive();
        }
        assertThat(Long.parseLong(r.get("directAfter"))).as("direct memory after close")
                .isLessThanOrEqualTo(4L * 1024 * 1024 + CONSTANT_SLACK);
    }

    private static Map<String, String> runChild(String kind, int count, int size)
            throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-XX:MaxDirectMemorySize=64m",
                "-Xmx256m", "-XX:-UsePerfData", "-cp", System.getProperty("java.class.path"),
                WriteMemoryChild.class.getName(), kind, Integer.toString(count),
                Integer.toString(size));
        pb.redirectErrorStream(true);
        Process child = pb.start();
        try {
            String result = null;
            StringBuilder output = new StringBuilder();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(
                    child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    output.append(line).append('\n');
                    if (line.startsWith("RESULT ")) {
                        result = line;
                    }
                }
            }
            assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("child ended").isTrue();
            assertThat(result).as("child's result; its output:\n%s", output).isNotNull();
            assertThat(child.exitValue()).as("child's exit; output:\n%s", output).isZero();
            Map<String, String> values = new HashMap<>();
            for (String pair : result.substring(7).split(" ")) {
                int eq = pair.indexOf('=');
                values.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
            return values;
        } finally {
            child.destroyForcibly();
        }
    }
}
