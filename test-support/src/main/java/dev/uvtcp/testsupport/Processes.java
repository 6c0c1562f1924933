package dev.uvtcp.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Processes seen from outside: stopping one by PID, and what it holds (descriptors, threads)
 * as Linux's {@code /proc} shows it.
 *
 * <p>Thread safety: static methods, nothing shared.
 */
public final class Processes {

    private Processes() {
    }

    /**
     * The {@code java} of the running JVM, to start a child JVM of the same version.
     *
     * @return the path of the executable
     */
    public static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * Stops a process by its PID, and everything it started: SIGTERM, up to {@code grace} for
     * it to end, then SIGKILL; its descendants (taken before the signal, as they are
     * re-parented once it is gone) are killed too. Does nothing to a process that has ended.
     * Meant for {@code finally} blocks and after-test methods: it never throws for a process
     * that will not die, it only waits a bounded time.
     *
     * @param process the process
     * @param grace how long the process gets to end after SIGTERM
     * @throws InterruptedException if interrupted while waiting
     */
    public static void stop(Process process, Duration grace) throws InterruptedException {
        List<ProcessHandle> descendants = process.descendants().toList();
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
        descendants.stream().filter(ProcessHandle::isAlive)
                .forEach(ProcessHandle::destroyForcibly);
    }

    /**
     * The open descriptors of a process: number to what it points at ({@code socket:[123]}, a
     * path). A descriptor closed while it is listed is left out; so is the listing's own,
     * where the process is this one.
     *
     * @param pid the process, e.g. {@code ProcessHandle.current().pid()}
     * @return the descriptors in number order; empty if the process has ended
     * @throws UncheckedIOException if {@code /proc} cannot be read
     */
    public static Map<Integer, String> descriptors(long pid) {
        Map<Integer, String> result = new TreeMap<>();
        Path dir = Path.of("/proc", Long.toString(pid), "fd");
        try (Stream<Path> fds = Files.list(dir)) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    result.put(Integer.valueOf(fd.getFileName().toString()),
                            Files.readSymbolicLink(fd).toString());
                } catch (IOException closedMeanwhile) {
                    // e.g. the descriptor of this very listing
                }
            }
        } catch (NoSuchFileException ended) {
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return result;
    }

    /**
     * How many descriptors a process has open.
     *
     * @param pid the process
     * @return the count, or -1 once the process has ended
     * @throws UncheckedIOException if {@code /proc} cannot be read
     */
    public static int descriptorCount(long pid) {
        return entries(Path.of("/proc", Long.toString(pid), "fd"));
    }

    /**
     * How many threads a process has (its JVM's own threads included).
     *
     * @param pid the process
     * @return the count, or -1 once the process has ended
     * @throws UncheckedIOException if {@code /proc} cannot be read
     */
    public static int threadCount(long pid) {
        return entries(Path.of("/proc", Long.toString(pid), "task"));
    }

    private static int entries(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return (int) entries.count();
        } catch (NoSuchFileException ended) {
            return -1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
