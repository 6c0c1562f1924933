package dev.uvtcp.testsupport;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A process started by a test (a launcher, a Karaf, a child JVM), its output (standard output
 * and error together, in a file) and its standard input.
 *
 * <p>Lifetime: the test owns it and stops it by PID with {@link #stop()} or {@link #close()}
 * (use try-with-resources or an after-test method, so that a failing test stops it too).
 * Thread safety: {@link #output()} and the waits may be used from any thread; writes to the
 * standard input from one thread at a time.
 */
public final class ChildProcess implements AutoCloseable {

    /** What a stopped process gets to end by itself after SIGTERM. */
    public static final Duration STOP_GRACE = Duration.ofSeconds(20);

    private final String name;
    private final Process process;
    private final Path output;

    private ChildProcess(String name, Process process, Path output) {
        this.name = name;
        this.process = process;
        this.output = output;
    }

    /**
     * Starts {@code builder}'s command with standard output and error both written to
     * {@code output}.
     *
     * @param name how messages call it
     * @param builder the command, folder and environment
     * @param output the file its output goes to (replaced)
     * @return the running process
     * @throws IOException if it cannot be started
     */
    public static ChildProcess start(String name, ProcessBuilder builder, Path output)
            throws IOException {
        Process process = builder.redirectErrorStream(true).redirectOutput(output.toFile())
                .start();
        return new ChildProcess(name, process, output);
    }

    /**
     * Starts a child JVM of the running JVM's version: {@code java ARGUMENTS} in
     * {@code folder}.
     *
     * @param name how messages call it
     * @param folder its working folder
     * @param output the file its output goes to (replaced)
     * @param arguments the JVM's options, then the main class or {@code -jar FILE}, then
     *     the program's arguments
     * @return the running process
     * @throws IOException if it cannot be started
     */
    public static ChildProcess startJava(String name, Path folder, Path output,
            List<String> arguments) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Processes.javaExecutable());
        command.addAll(arguments);
        return start(name, new ProcessBuilder(command).directory(folder.toFile()), output);
    }

    /**
     * @return how messages call it
     */
    public String name() {
        return name;
    }

    /**
     * @return the process itself (for its PID, exit value, signals)
     */
    public Process process() {
        return process;
    }

    /**
     * @return everything it has written so far, or "" if the file cannot be read
     */
    public String output() {
        try {
            return Files.readString(output);
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Writes a line to its standard input (e.g. a shell command).
     *
     * @param line the line, without its line end
     * @throws IOException if the process no longer reads its input
     */
    public void send(String line) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write((line + "\n").getBytes(UTF_8));
        in.flush();
    }

    /**
     * Waits until its output contains {@code text}.
     *
     * @param text the text
     * @param timeout how long at most
     * @throws InterruptedException if interrupted while waiting
     * @throws AssertionError if the text did not come within the timeout or the process
     *     ended first (the message has its output)
     */
    public void awaitOutput(String text, Duration timeout) throws InterruptedException {
        await("output containing \"" + text + "\"", timeout, () -> output().contains(text));
    }

    /**
     * Waits until {@code condition} holds; gives up at once if the process ends first.
     *
     * @param what what is awaited, for the failure message
     * @param timeout how long at most
     * @param condition polled on the calling thread
     * @throws InterruptedException if interrupted while waiting
     * @throws AssertionError if the condition did not hold within the timeout or the process
     *     ended first (the message has its output)
     */
    public void await(String what, Duration timeout, BooleanSupplier condition)
            throws InterruptedException {
        try {
            Await.until(what, timeout, condition, whenEnded());
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; output of " + name + ":\n" + output());
        }
    }

    /**
     * {@link Sockets#awaitRoundTrip(int, String, Duration, Await.Abort)}, giving up if this
     * process (the server) ends.
     *
     * @param port the port on 127.0.0.1
     * @param message the text to send
     * @param timeout how long to keep trying
     * @return the answer
     * @throws InterruptedException if interrupted while waiting
     * @throws AssertionError if no full answer came within the timeout or the process ended
     */
    public String awaitRoundTrip(int port, String message, Duration timeout)
            throws InterruptedException {
        return Sockets.awaitRoundTrip(port, message, timeout, whenEnded());
    }

    /**
     * An abort for {@link Await}: the reason is this process's end, with its output.
     *
     * @return the abort
     */
    public Await.Abort whenEnded() {
        return () -> process.isAlive() ? null
                : name + " ended (exit " + process.exitValue() + "); output:\n" + output();
    }

    /**
     * Waits for the process to end by itself.
     *
     * @param timeout how long at most
     * @return its exit value
     * @throws InterruptedException if interrupted while waiting
     * @throws AssertionError if it is still running after the timeout
     */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " did not end within " + timeout.toMillis()
                    + " ms; output:\n" + output());
        }
        return process.exitValue();
    }

    /**
     * @return its open descriptors, or -1 once it has ended
     */
    public int descriptorCount() {
        return Processes.descriptorCount(process.pid());
    }

    /**
     * @return its threads, or -1 once it has ended
     */
    public int threadCount() {
        return Processes.threadCount(process.pid());
    }

    /**
     * Stops it and what it started, by PID ({@link Processes#stop(Process, Duration)} with
     * {@link #STOP_GRACE}). Does nothing once it has ended.
     *
     * @throws InterruptedException if interrupted while waiting
     */
    public void stop() throws InterruptedException {
        Processes.stop(process, STOP_GRACE);
    }

    /**
     * {@link #stop()}.
     *
     * @throws InterruptedException if interrupted while waiting
     */
    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
