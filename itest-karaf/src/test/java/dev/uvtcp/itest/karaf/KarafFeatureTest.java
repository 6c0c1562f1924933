package dev.uvtcp.itest.karaf;

import static dev.uvtcp.testsupport.Sockets.connect;
import static dev.uvtcp.testsupport.Sockets.freePort;
import static dev.uvtcp.testsupport.Sockets.refuses;
import static dev.uvtcp.testsupport.Sockets.roundTrip;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.uvtcp.testsupport.Await;
import dev.uvtcp.testsupport.Processes;
import dev.uvtcp.testsupport.Sockets;
import dev.uvtcp.testsupport.TestFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The uvtcp features in a real Apache Karaf 4.4 (the distribution from Maven Central, unpacked
 * by the build), started as a process with {@code bin/karaf server} and driven through its
 * SSH console with {@code bin/client}, as an administrator would: {@code feature:repo-add},
 * {@code feature:install uvtcp uvtcp-shell uvtcp-example-echo}, an echo through the
 * whiteboard plugin, the {@code uvtcp:*} commands in Karaf's shell, and
 * {@code feature:uninstall} closing the port again.
 *
 * <p>The Karaf instance is a fresh copy with everything on loopback and free ports (SSH, JMX,
 * the echo plugin moved by {@code etc/dev.uvtcp.examples.echo.cfg}). This build's artifacts
 * are copied into its {@code system/} folder, which Karaf searches first; only two
 * conditional bundles of Karaf's own scr feature come from the local Maven repository or Maven
 * Central.
 * Every process started here is stopped by its PID.
 */
class KarafFeatureTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private final List<Process> processes = new ArrayList<>();
    private Path karaf;
    private Path log;
    private Process server;
    private int sshPort;

    @BeforeEach
    void freshKaraf() throws IOException {
        Path work = Path.of(System.getProperty("uvtcp.karaf.work", "target/karaf-run"));
        TestFiles.deleteRecursively(work);
        karaf = work.resolve("karaf");
        TestFiles.copyRecursively(Path.of(required("uvtcp.karaf.dist")), karaf);
        TestFiles.copyRecursively(Path.of(required("uvtcp.karaf.repo")), karaf.resolve("system"));
        // Karaf's scr feature bundles, which the distribution does not carry.
        Path extra = Path.of(required("uvtcp.karaf.extra"));
        for (String coordinates : required("uvtcp.karaf.extra.artifacts").split(",")) {
            String[] gav = coordinates.trim().split(":");
            String file = gav[1] + "-" + gav[2] + ".jar";
            Path target = karaf.resolve("system").resolve(gav[0].replace('.', '/'))
                    .resolve(gav[1]).resolve(gav[2]).resolve(file);
            Files.createDirectories(target.getParent());
            Files.copy(extra.resolve(file), target, StandardCopyOption.REPLACE_EXISTING);
        }
        log = work.resolve("karaf.out");
    }

    @AfterEach
    void stopEverything() throws Exception {
        for (Process process : processes) {
            Processes.stop(process, Duration.ofSeconds(30));
        }
        Path karafLog = karaf.resolve("data/log/karaf.log");
        if (Files.exists(karafLog)) {
            System.out.println("uvtcp lines of karaf.log:");
            try (Stream<String> lines = Files.lines(karafLog)) {
                lines.filter(line -> line.contains("uvtcp") || line.contains("ERROR"))
                        .forEach(System.out::println);
            }
        }
    }

    @Test
    void featureInstallServesEchoThroughTheWhiteboardAndTheShellShowsIt() throws Exception {
        String version = required("uvtcp.version");
        sshPort = freePort();
        int echoPort = freePort();
        configure(echoPort);

        long start = System.nanoTime();
        server = start(List.of("/bin/sh", "bin/karaf", "server"), log);
        String installed = client("feature:repo-add mvn:dev.uvtcp/uvtcp-features/" + version
                        + "/xml/features",
                "feature:install uvtcp uvtcp-shell uvtcp-example-echo",
                "feature:list -i | grep uvtcp");
        System.out.printf("karaf: features installed %d ms after start:%n%s%n",
                (System.nanoTime() - start) / 1_000_000, installed);
        assertTrue(installed.contains("uvtcp-example-echo"), installed);

        assertEquals("hello karaf", awaitRoundTrip(echoPort, "hello karaf"));

        try (Socket open = connect(echoPort)) {
            assertEquals("open", roundTrip(open, "open"));
            String shell = client("uvtcp:servers", "uvtcp:loops", "uvtcp:handles");
            System.out.println("karaf: uvtcp commands:\n" + shell);
            assertTrue(shell.contains("127.0.0.1:" + echoPort + "  serving"), shell);
            assertTrue(shell.contains("dev.uvtcp.examples.echoplugin ["), shell);
            assertTrue(shell.contains("uvtcp-loop-0"), shell);
            assertTrue(shell.contains("connected,reading"), shell);
        }

        // A bad configuration, read by Karaf's FileInstall from etc/: rejected in karaf.log,
        // and the echo keeps answering.
        Files.writeString(karaf.resolve("etc/dev.uvtcp.cfg"), "loops = -1\n");
        Path karafLog = karaf.resolve("data/log/karaf.log");
        await("the rejection in karaf.log", () -> read(karafLog).contains(
                "uvtcp: configuration dev.uvtcp REJECTED: loops must be 1..256, was -1."));
        assertEquals("still", awaitRoundTrip(echoPort, "still"));
        String afterBad = client("uvtcp:servers");
        assertTrue(afterBad.contains("127.0.0.1:" + echoPort + "  serving"), afterBad);

        client("feature:uninstall uvtcp-example-echo");
        await("port " + echoPort + " closed after feature:uninstall", () -> refuses(echoPort));

        // With the service bundle stopped, the commands say why (and do not fail).
        String down = client("bundle:stop dev.uvtcp.service", "uvtcp:servers", "uvtcp:loops");
        System.out.println("karaf: uvtcp commands with the service bundle stopped:\n" + down);
        assertTrue(down.contains("uvtcp is not running: the bundle dev.uvtcp.service ["), down);
        assertTrue(down.contains("] is not active (RESOLVED: it is stopped)."), down);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException notYet) {
            return "";
        }
    }

    // ---------------------------------------------------------------- Karaf set-up

    private void configure(int echoPort) throws IOException {
        Path etc = karaf.resolve("etc");
        replace(etc.resolve("org.apache.karaf.shell.cfg"), "sshPort = 8101",
                "sshPort = " + sshPort);
        replace(etc.resolve("org.apache.karaf.shell.cfg"), "sshHost = 0.0.0.0",
                "sshHost = 127.0.0.1");
        replace(etc.resolve("org.apache.karaf.management.cfg"), "rmiRegistryPort = 1099",
                "rmiRegistryPort = " + freePort());
        replace(etc.resolve("org.apache.karaf.management.cfg"), "rmiServerPort = 44444",
                "rmiServerPort = " + freePort());
        // The console user the client logs in with (commented out in the distribution).
        append(etc.resolve("users.properties"), "karaf = karaf,_g_:admingroup\n"
                + "_g_\\:admingroup = group,admin,manager,viewer,systembundles,ssh\n");
        // The echo plugin's address, read by Karaf's own FileInstall from etc/.
        Files.writeString(etc.resolve("dev.uvtcp.examples.echo.cfg"),
                "uvtcp.server.address = 127.0.0.1:" + echoPort + "\n");
    }

    /** Runs commands in Karaf's shell over SSH (bin/client in batch mode); returns the output. */
    private String client(String... commands) throws Exception {
        Path out = Files.createTempFile(karaf.getParent(), "client", ".out");
        Process client = start(List.of("/bin/sh", "bin/client", "-h", "127.0.0.1",
                "-a", String.valueOf(sshPort), "-u", "karaf", "-p", "karaf",
                "-r", "90", "-d", "1", "-b"), out);
        try (OutputStream in = client.getOutputStream()) {
            in.write((String.join("\n", commands) + "\n").getBytes(UTF_8));
        }
        if (!client.waitFor(WAIT.toMillis() * 2, TimeUnit.MILLISECONDS)) {
            fail("bin/client did not finish " + List.of(commands) + ":\n"
                    + Files.readString(out) + "\nkaraf:\n" + Files.readString(log));
        }
        // Without the colours the shell adds (grep highlights its matches).
        String output = Files.readString(out).replaceAll("\u001B\\[[;\\d]*m", "");
        assertEquals(0, client.exitValue(), "bin/client " + List.of(commands) + ":\n" + output);
        assertTrue(!output.contains("Error executing command"), output);
        return output;
    }

    private Process start(List<String> command, Path output) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(karaf.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        // bin/karaf then execs java: the process started here is the JVM itself.
        builder.environment().put("KARAF_EXEC", "exec");
        Process process = builder.start();
        processes.add(0, process);
        return process;
    }

    // ---------------------------------------------------------------- sockets

    private String awaitRoundTrip(int port, String message) throws Exception {
        return Sockets.awaitRoundTrip(port, message, WAIT, karafEnded());
    }

    private void await(String what, BooleanSupplier condition) throws Exception {
        Await.until(what, WAIT, condition, karafEnded());
    }

    private Await.Abort karafEnded() {
        return () -> server.isAlive() ? null : "Karaf ended:\n" + read(log);
    }

    // ---------------------------------------------------------------- files

    private static String required(String key) {
        String value = System.getProperty(key);
        if (value == null) {
            throw new IllegalStateException("system property " + key + " is not set: run the"
                    + " test through Maven");
        }
        return value;
    }

    private static void replace(Path file, String from, String to) throws IOException {
        String text = Files.readString(file);
        if (!text.contains(from)) {
            throw new IllegalStateException(file + " has no line \"" + from + "\"");
        }
        Files.writeString(file, text.replace(from, to));
    }

    private static void append(Path file, String text) throws IOException {
        Files.writeString(file, "\n" + text, StandardOpenOption.APPEND);
    }

}
