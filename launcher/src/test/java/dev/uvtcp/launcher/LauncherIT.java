package dev.uvtcp.launcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged launcher started as a process, as a person would ({@code java -jar}), in a
 * fresh working folder: the echo plugin answers, a plugin jar copied into {@code deploy/}
 * starts serving and stops when removed, the client example connects out, and the shell
 * commands, typed on the launcher's standard input, show it all.
 *
 * <p>Free ports are used instead of 7007/7008 (a person may be running the launcher while the
 * tests run): {@code .cfg} files in {@code deploy/} move the plugins there, which also checks
 * that FileInstall passes configurations on and that the whiteboard rebinds.
 */
class LauncherIT {

    private static final long WAIT_MS = 20_000;

    private Path work;
    private Path deploy;
    private Path log;
    private Process launcher;
    private OutputStream shell;

    @BeforeEach
    void freshWorkFolder() throws IOException {
        Path root = Path.of(System.getProperty("uvtcp.launcher.work", "target/launcher-it"));
        deleteRecursively(root);
        work = Files.createDirectories(root);
        deploy = Files.createDirectories(work.resolve("deploy"));
        log = work.resolve("launcher.log");
    }

    @AfterEach
    void stopLauncher() throws Exception {
        if (launcher == null) {
            return;
        }
        ProcessHandle handle = launcher.toHandle();
        List<ProcessHandle> children = handle.descendants().toList();
        handle.destroy();
        if (!launcher.waitFor(20, TimeUnit.SECONDS)) {
            handle.destroyForcibly();
            launcher.waitFor(10, TimeUnit.SECONDS);
        }
        children.forEach(ProcessHandle::destroyForcibly);
        System.out.println("launcher log:\n" + Files.readString(log));
    }

    @Test
    void servesEchoHotDeploysPluginsAndShowsThemInTheShell() throws Exception {
        int echoPort = freePort();
        int upperPort = freePort();
        Files.writeString(deploy.resolve("dev.uvtcp.examples.echo.cfg"),
                "uvtcp.server.address = 127.0.0.1:" + echoPort + "\n");

        long start = System.nanoTime();
        launcher = new ProcessBuilder(javaExecutable(), "-jar",
                System.getProperty("uvtcp.launcher.jar"))
                .directory(work.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        shell = launcher.getOutputStream();
        awaitLog("uvtcp launcher: Felix");
        awaitLog("Welcome to Apache Felix Gogo");

        // The echo plugin, moved to a free port by its .cfg file in deploy/.
        assertEquals("hello launcher", awaitRoundTrip(echoPort, "hello launcher"));
        System.out.printf("launcher: echo answered %d ms after the process started%n",
                (System.nanoTime() - start) / 1_000_000);

        // A plugin jar copied into deploy/ starts serving ...
        Files.writeString(deploy.resolve("dev.uvtcp.examples.upper.cfg"),
                "uvtcp.server.address = " + upperPort + "\n");
        Path upperJar = deploy.resolve("uvtcp-example-upper-plugin.jar");
        Files.copy(Path.of(System.getProperty("uvtcp.upper.jar")), upperJar,
                StandardCopyOption.REPLACE_EXISTING);
        assertEquals("SHOUT 42", awaitRoundTrip(upperPort, "shout 42"));

        // ... and the shell shows both servers, the loop and the handles.
        try (Socket open = connect(echoPort)) {
            assertEquals("open", roundTrip(open, "open"));
            command("uvtcp:servers");
            awaitLog("127.0.0.1:" + echoPort + "  serving");
            awaitLog("127.0.0.1:" + upperPort + "  serving");
            awaitLog("dev.uvtcp.examples.upper [");
            command("uvtcp:loops");
            awaitLog("uvtcp-loop-0");
            command("uvtcp:handles");
            awaitLog("connected");
            awaitLog("bundle dev.uvtcp.examples.echoplugin");
        }

        // Removing the jar stops the server.
        Files.delete(upperJar);
        await("port " + upperPort + " refuses connections once the jar is removed",
                () -> refuses(upperPort));

        // The client example connects out to the echo plugin and logs the answer.
        Files.writeString(deploy.resolve("dev.uvtcp.examples.client.cfg"),
                "address = 127.0.0.1:" + echoPort + "\n");
        Files.copy(Path.of(System.getProperty("uvtcp.client.jar")),
                deploy.resolve("uvtcp-example-client.jar"), StandardCopyOption.REPLACE_EXISTING);
        awaitLog("127.0.0.1:" + echoPort + " answered: hello from the uvtcp client example");

        // A configuration change moves the echo plugin: the whiteboard rebinds.
        int movedPort = freePort();
        Files.writeString(deploy.resolve("dev.uvtcp.examples.echo.cfg"),
                "uvtcp.server.address = 127.0.0.1:" + movedPort + "\n");
        assertEquals("moved", awaitRoundTrip(movedPort, "moved"));
        await("the old port is closed", () -> refuses(echoPort));
    }

    // ---------------------------------------------------------------- helpers

    private void command(String line) throws IOException {
        shell.write((line + "\n").getBytes(UTF_8));
        shell.flush();
    }

    private void awaitLog(String text) throws Exception {
        await("launcher output containing \"" + text + "\"",
                () -> readLog().contains(text));
    }

    private String readLog() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    private void await(String what, BooleanSupplier condition) throws Exception {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (!condition.getAsBoolean()) {
            if (!launcher.isAlive()) {
                fail("the launcher ended (exit " + launcher.exitValue() + ") while waiting for "
                        + what + "; output:\n" + readLog());
            }
            if (System.currentTimeMillis() > deadline) {
                fail("not within " + WAIT_MS + " ms: " + what + "; output:\n" + readLog());
            }
            Thread.sleep(50);
        }
    }

    private String awaitRoundTrip(int port, String message) throws Exception {
        String[] reply = new String[1];
        await("an answer on port " + port, () -> {
            try (Socket socket = connect(port)) {
                reply[0] = roundTrip(socket, message);
                return reply[0].length() == message.length();
            } catch (IOException notYet) {
                return false;
            }
        });
        return reply[0];
    }

    private static boolean refuses(int port) {
        try (Socket socket = connect(port)) {
            return false;
        } catch (ConnectException refused) {
            return true;
        } catch (IOException other) {
            return false;
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        socket.setSoTimeout(5000);
        return socket;
    }

    private static String roundTrip(Socket socket, String message) throws IOException {
        byte[] bytes = message.getBytes(UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(bytes);
        out.flush();
        InputStream in = socket.getInputStream();
        return new String(in.readNBytes(bytes.length), UTF_8);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1,
                java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(path);
            }
        }
    }
}
