package dev.uvtcp.itest.payara;

import static dev.uvtcp.testsupport.Sockets.roundTrip;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * What the Payara tests observe from outside a server JVM: sockets on loopback, HTTP, the
 * thread list ({@code jcmd Thread.print}), descriptors and listening sockets ({@code /proc}),
 * mapped copies of the native library; and the stopping of processes by PID.
 */
final class ServerProbe {

    private ServerProbe() {
    }

    static String required(String key) {
        String value = System.getProperty(key);
        if (value == null) {
            throw new IllegalStateException("system property " + key + " is not set: run the"
                    + " test through Maven");
        }
        return value;
    }

    // ---------------------------------------------------------------- sockets and HTTP

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /**
     * @return a base B such that B..B+count are all free (bindable on the wildcard address
     *     without SO_REUSEADDR, so not used on any address, not even by a connection), for
     *     {@code asadmin create-domain --portbase}; below Linux's ephemeral ports (from
     *     32768), where outgoing connections could take one of them meanwhile
     */
    static int freePortRange(int count) {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = 20_000 + 100 * (int) (Math.random() * 120);
            boolean free = true;
            for (int port = base; port <= base + count && free; port++) {
                try (ServerSocket socket = new ServerSocket()) {
                    socket.setReuseAddress(false);
                    socket.bind(new InetSocketAddress(port), 1);
                } catch (IOException taken) {
                    free = false;
                }
            }
            if (free) {
                return base;
            }
        }
        throw new IllegalStateException("no free range of " + count + " ports found");
    }

    /** Retries connection failures (a server that is still binding) until the deadline. */
    static String awaitRoundTrip(Process server, int port, String message) throws Exception {
        String[] reply = {null};
        await(server, "an echo on port " + port, 60, () -> {
            try {
                reply[0] = roundTrip(port, message);
                return true;
            } catch (IOException notYet) {
                return false;
            }
        });
        return reply[0];
    }

    static boolean refuses(int port) {
        try (Socket ignored = new Socket()) {
            ignored.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            return false;
        } catch (ConnectException refused) {
            return true;
        } catch (IOException other) {
            return false;
        }
    }

    static String httpGet(String url) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .build();
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + url + ": HTTP " + response.statusCode() + "\n"
                    + response.body());
        }
        return response.body();
    }

    // ---------------------------------------------------------------- the server JVM

    /** @return the names of the JVM's threads, from {@code jcmd PID Thread.print} */
    static List<String> threadNames(long pid) throws Exception {
        String dump = run(List.of(jdkTool("jcmd"), String.valueOf(pid), "Thread.print"), 60);
        List<String> names = new ArrayList<>();
        for (String line : dump.split("\n")) {
            if (line.startsWith("\"")) {
                names.add(line.substring(1, line.indexOf('"', 1)));
            }
        }
        if (names.isEmpty()) {
            throw new IllegalStateException("jcmd " + pid + " Thread.print gave no threads:\n"
                    + dump);
        }
        return names;
    }

    static long threadsStartingWith(long pid, String prefix) throws Exception {
        return threadNames(pid).stream().filter(name -> name.startsWith(prefix)).count();
    }

    /** Asks the JVM for a full GC, so that unreachable class loaders go. */
    static void gc(long pid) throws Exception {
        run(List.of(jdkTool("jcmd"), String.valueOf(pid), "GC.run"), 60);
    }

    static int descriptors(long pid) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return (int) fds.count();
        }
    }

    /** @return the distinct files named like the native library mapped into the process */
    static Set<String> mappedNativeLibraries(long pid) throws IOException {
        Set<String> files = new HashSet<>();
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/maps"))) {
            int slash = line.indexOf('/');
            if (slash >= 0 && line.contains("libuvtcp")) {
                files.add(line.substring(slash));
            }
        }
        return files;
    }

    /**
     * @return the local addresses ({@code hex-address:hex-port} as in /proc/net/tcp) of every
     *     listening TCP socket of the process that is not on loopback; empty when all are
     */
    static List<String> listenersOffLoopback(long pid) throws IOException {
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException closedMeanwhile) {
                    // gone between list and read
                }
            }
        }
        List<String> offLoopback = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(table))) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 10 || !f[3].equals("0A") || !inodes.contains(f[9])) {
                    continue;
                }
                String address = f[1].substring(0, f[1].indexOf(':'));
                boolean loopback = address.equals("0100007F")                    // 127.0.0.1
                        || address.equals("00000000000000000000000001000000")      // ::1
                        || address.equals("0000000000000000FFFF00000100007F");     // ::ffff:127.0.0.1
                if (!loopback) {
                    offLoopback.add(f[1]);
                }
            }
        }
        return offLoopback;
    }

    // ---------------------------------------------------------------- processes

    static String jdkTool(String name) {
        return Path.of(System.getProperty("java.home"), "bin", name).toString();
    }

    /** Runs a command to its end (killed by PID after the timeout); returns its output. */
    static String run(List<String> command, long timeoutSeconds) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        environment(builder);
        Process process = builder.start();
        byte[][] output = new byte[1][];
        Thread reader = new Thread(() -> {
            try {
                output[0] = process.getInputStream().readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        reader.start();
        try {
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                throw new IllegalStateException("not finished within " + timeoutSeconds
                        + " s: " + command);
            }
            reader.join(10_000);
            return output[0] == null ? "" : new String(output[0], UTF_8);
        } finally {
            stop(process.toHandle(), 10);
        }
    }

    /** The JDK this test runs on, for every process it starts (Payara's scripts read both). */
    static void environment(ProcessBuilder builder) {
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("AS_JAVA", System.getProperty("java.home"));
    }

    /** Stops a process and its descendants by PID: politely, then forcibly. */
    static void stop(ProcessHandle process, long graceSeconds) {
        List<ProcessHandle> children = process.descendants().toList();
        if (process.isAlive()) {
            process.destroy();
            try {
                process.onExit().get(graceSeconds, TimeUnit.SECONDS);
            } catch (Exception stillAlive) {
                process.destroyForcibly();
            }
        }
        children.forEach(ProcessHandle::destroyForcibly);
    }

    static void await(Process server, String what, long seconds, BooleanSupplier condition)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (server != null && !server.isAlive()) {
                throw new AssertionError("the server ended while waiting for " + what);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + seconds + " s: " + what);
            }
            Thread.sleep(200);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException notYet) {
            return "";
        }
    }

    static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(path);
            }
        }
    }
}
