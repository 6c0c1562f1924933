package dev.uvtcp.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A running {@link FdExhaustionServer} in a forked JVM limited to a number of descriptors, seen
 * from {@link FdExhaustionTest}: its address, its descriptor count, the accept errors it has
 * reported (counted per name: a server in trouble may report many), and its commands.
 *
 * <p>Threading: one test thread; a daemon thread reads the child's stdout. Lifetime:
 * {@link #close()} ends the child by its PID, also when the test failed.
 */
final class FdExhaustionChild implements AutoCloseable {

    private final Process process;
    private final PrintWriter control;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Map<String, LongAdder> acceptErrors = new ConcurrentHashMap<>();
    private final Thread reader;
    private InetSocketAddress address;

    private FdExhaustionChild(Process process) {
        this.process = process;
        this.control = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        this.reader = new Thread(this::readLines, "fdx-child-stdout");
        reader.setDaemon(true);
    }

    /** Starts the child with {@code ulimit -n limit} and waits for it to listen. */
    static FdExhaustionChild start(int limit) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        String cp = System.getProperty("java.class.path");
        ProcessBuilder pb = new ProcessBuilder("bash", "-c",
                "ulimit -n " + limit + " && exec \"$0\" -Xmx64m -XX:-UsePerfData -cp \"$1\" "
                        + FdExhaustionServer.class.getName(), java.toString(), cp);
        pb.redirectError(Path.of("target", "fd-exhaustion-server.err").toFile());
        FdExhaustionChild child = new FdExhaustionChild(pb.start());
        try {
            child.reader.start();
            String first = child.lines.poll(30, TimeUnit.SECONDS);
            assertThat(first).as("child's first line").startsWith("PORT ");
            child.address = TestSupport.loopback(Integer.parseInt(first.substring(5)));
            return child;
        } catch (Throwable t) {
            child.close();
            throw t;
        }
    }

    InetSocketAddress address() {
        return address;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Entries in the child's /proc/PID/fd, or -1 once it has ended. */
    long fdCount() {
        return TestSupport.openFdCountOf(process.pid());
    }

    /** Sends a command; returns what follows {@code prefix} in its answer, which must come. */
    String ask(String command, String prefix) throws InterruptedException {
        control.println(command);
        String answer = lines.poll(10, TimeUnit.SECONDS);
        assertThat(answer).as("answer to %s", command).startsWith(prefix);
        return answer.substring(prefix.length());
    }

    long acceptErrors(String name) {
        LongAdder count = acceptErrors.get(name);
        return count == null ? 0 : count.sum();
    }

    /** Each error name with how often it was reported, e.g. {@code {EMFILE=96}}. */
    Map<String, Long> acceptErrorSummary() {
        Map<String, Long> summary = new TreeMap<>();
        acceptErrors.forEach((name, count) -> summary.put(name, count.sum()));
        return summary;
    }

    /** Asks the child to end and checks that it did, cleanly, with every line read. */
    void quit() throws InterruptedException {
        control.println("quit");
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("child ends on quit").isTrue();
        assertThat(process.exitValue()).isZero();
        reader.join(TimeUnit.SECONDS.toMillis(10));
    }

    @Override
    public void close() throws InterruptedException {
        control.close();
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    private void readLines() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(
                process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("ACCEPT_ERROR ")) {
                    acceptErrors.computeIfAbsent(line.substring(13), name -> new LongAdder())
                            .increment();
                } else {
                    lines.add(line);
                }
            }
        } catch (IOException ignored) {
            // the child ended
        }
    }
}
