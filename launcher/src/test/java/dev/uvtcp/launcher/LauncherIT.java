package dev.uvtcp.launcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged launcher started as a process, as a person would ({@code java -jar}), in a
 * fresh working folder, and what its console shows: the echo plugin answers, a plugin jar
 * copied into {@code deploy/} starts serving and stops when removed, touching it updates it
 * while a client outside the launcher is refused no connection, the client example
 * connects out, the shell commands typed on its standard input show it all; bad
 * configurations are rejected on the console while the echo keeps answering; every file in
 * {@code deploy/} that is not installed says why; a second launcher on the same folder
 * refuses; a launcher whose port is taken says so in its banner; command-line mistakes print
 * the usage line; SIGTERM stops it without a stack trace and without leaving its cache.
 *
 * <p>Free ports are used instead of 7007/7008 (a person may be running the launcher while the
 * tests run): {@code .cfg} files in {@code deploy/} move the plugins there, which also checks
 * that FileInstall passes configurations on and that the whiteboard rebinds. Each launcher
 * gets {@code java.io.tmpdir} inside the test's folder, where its framework cache and its
 * deploy-folder lock go. Every process a test starts is stopped by PID after it, also when it
 * fails.
 */
class LauncherIT {

    private static final long WAIT_MS = 20_000;
    /** A stack trace line, as {@code Throwable.printStackTrace} writes it. */
    private static final Pattern STACK_FRAME = Pattern.compile("(?m)^\\s+at [\\w.$/]+\\(");

    private Path work;
    private Path tmp;
    private final List<Launched> started = new ArrayList<>();

    @BeforeEach
    void freshWorkFolder() throws IOException {
        Path root = Path.of(System.getProperty("uvtcp.launcher.work", "target/launcher-it"));
        deleteRecursively(root);
        work = Files.createDirectories(root);
        tmp = Files.createDirectories(work.resolve("tmp"));
    }

    @AfterEach
    void stopEveryLauncher() throws Exception {
        for (Launched launched : started) {
            launched.stop();
            System.out.println("launcher " + launched.name + " output:\n" + launched.output());
        }
        started.clear();
    }

    @Test
    void servesEchoHotDeploysPluginsAndShowsThemInTheShell() throws Exception {
        Path deploy = Files.createDirectories(work.resolve("deploy"));
        int echoPort = freePort();
        int upperPort = freePort();
        Files.writeString(deploy.resolve("dev.uvtcp.examples.echo.cfg"),
                "uvtcp.server.address = 127.0.0.1:" + echoPort + "\n");

        long start = System.nanoTime();
        Launched launcher = start("main", work);
        launcher.await("uvtcp launcher: Felix");
        launcher.await("Welcome to Apache Felix Gogo");
        // The banner says what is served, and where.
        launcher.await("  serving:       127.0.0.1:" + echoPort
                + " for dev.uvtcp.examples.echoplugin [");
        launcher.await("log 10 warn");

        // The echo plugin, moved to a free port by its .cfg file in deploy/.
        assertEquals("hello launcher", launcher.awaitRoundTrip(echoPort, "hello launcher"));
        System.out.printf("launcher: echo answered %d ms after the process started%n",
                (System.nanoTime() - start) / 1_000_000);

        // A plugin jar copied into deploy/ starts serving ...
        Files.writeString(deploy.resolve("dev.uvtcp.examples.upper.cfg"),
                "uvtcp.server.address = " + upperPort + "\n");
        Path upperJar = deploy.resolve("uvtcp-example-upper-plugin.jar");
        Files.copy(Path.of(System.getProperty("uvtcp.upper.jar")), upperJar,
                StandardCopyOption.REPLACE_EXISTING);
        assertEquals("SHOUT 42", launcher.awaitRoundTrip(upperPort, "shout 42"));
        // ... and the console says which bundle it became.
        launcher.await("deploy/uvtcp-example-upper-plugin.jar: bundle ");
        launcher.await(" dev.uvtcp.examples.upper 0.1.0.SNAPSHOT is active");

        // ... and the shell shows both servers, the loop and the handles.
        try (Socket open = connect(echoPort)) {
            assertEquals("open", roundTrip(open, "open"));
            launcher.command("uvtcp:servers");
            launcher.await("127.0.0.1:" + echoPort + "  serving");
            launcher.await("127.0.0.1:" + upperPort + "  serving");
            launcher.await("dev.uvtcp.examples.upper [");
            launcher.command("uvtcp:loops");
            launcher.await("uvtcp-loop-0");
            launcher.command("uvtcp:handles");
            launcher.await("connected");
            launcher.await("bundle dev.uvtcp.examples.echoplugin");
        }

        // Removing the jar stops the server.
        Files.delete(upperJar);
        launcher.await("port " + upperPort + " refuses connections once the jar is removed",
                () -> refuses(upperPort));

        // The client example connects out to the echo plugin and logs the answer.
        Files.writeString(deploy.resolve("dev.uvtcp.examples.client.cfg"),
                "address = 127.0.0.1:" + echoPort + "\n");
        Files.copy(Path.of(System.getProperty("uvtcp.client.jar")),
                deploy.resolve("uvtcp-example-client.jar"), StandardCopyOption.REPLACE_EXISTING);
        launcher.await("127.0.0.1:" + echoPort + " answered: hello from the uvtcp client example");

        // A configuration change moves the echo plugin: the whiteboard rebinds.
        int movedPort = freePort();
        Files.writeString(deploy.resolve("dev.uvtcp.examples.echo.cfg"),
                "uvtcp.server.address = 127.0.0.1:" + movedPort + "\n");
        assertEquals("moved", launcher.awaitRoundTrip(movedPort, "moved"));
        launcher.await("the old port is closed", () -> refuses(echoPort));

        // "stop 0" ends the process normally, and nothing is left in its temporary folder.
        launcher.command("stop 0");
        assertEquals(0, launcher.awaitExit());
        assertNoStackTrace(launcher.output());
        assertNoFrameworkCacheLeft();
    }

    @Test
    void touchingAPluginJarUpdatesThePluginAndRefusesNoConnection() throws Exception {
        Path deploy = Files.createDirectories(work.resolve("deploy"));
        int echoPort = freePort();
        int upperPort = freePort();
        Files.writeString(deploy.resolve("dev.uvtcp.examples.echo.cfg"),
                "uvtcp.server.address = 127.0.0.1:" + echoPort + "\n");
        Files.writeString(deploy.resolve("dev.uvtcp.examples.upper.cfg"),
                "uvtcp.server.address = 127.0.0.1:" + upperPort + "\n");
        Path upperJar = deploy.resolve("uvtcp-example-upper-plugin.jar");
        Files.copy(Path.of(System.getProperty("uvtcp.upper.jar")), upperJar);
        Launched launcher = start("update", work);
        assertEquals("READY", launcher.awaitRoundTrip(upperPort, "ready"));
        long service = launcher.serviceServing(upperPort);

        // A client outside the launcher's process: fresh connections, one after the other.
        AtomicLong answered = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        Thread client = new Thread(() -> {
            long deadline = System.currentTimeMillis() + 4 * WAIT_MS;
            for (int n = 0; n < 1_000_000 && !stop.get()
                    && System.currentTimeMillis() < deadline; n++) {
                try (Socket socket = connect(upperPort)) {
                    String text = "fresh connection " + n;
                    if (roundTrip(socket, text).equals(text.toUpperCase(java.util.Locale.ROOT))) {
                        answered.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                    }
                } catch (ConnectException e) {
                    refused.incrementAndGet();
                } catch (IOException e) {
                    failed.incrementAndGet();
                }
            }
        }, "update-client");
        client.start();
        int touches = 3;
        try {
            for (int i = 1; i <= touches; i++) {
                long before = answered.get();
                Files.setLastModifiedTime(upperJar, java.nio.file.attribute.FileTime
                        .fromMillis(System.currentTimeMillis() + i * 1000L));
                // FileInstall updates the bundle: a new ConnectionHandler service serves.
                long previous = service;
                launcher.await("a new service serving port " + upperPort + " after touch " + i,
                        () -> launcher.serviceServing(upperPort) != previous);
                service = launcher.serviceServing(upperPort);
                launcher.await("answers from the new revision",
                        () -> answered.get() > before + 10);
            }
        } finally {
            stop.set(true);
            client.join(WAIT_MS);
        }
        System.out.printf("launcher: %d touches of the plugin jar: %d connections answered,"
                + " %d refused, %d failed%n", touches, answered.get(), refused.get(),
                failed.get());
        assertEquals(0, refused.get(), "refused connections");
        // One connection at a time: at most the one the old revision had open, per update.
        assertTrue(failed.get() <= touches, failed + " failed connections");
    }

    @Test
    void badLoopsValuesAreRejectedOnTheConsoleAndTheEchoKeepsAnswering() throws Exception {
        Path deploy = Files.createDirectories(work.resolve("deploy"));
        int echoPort = freePort();
        Files.writeString(deploy.resolve("dev.uvtcp.examples.echo.cfg"),
                "uvtcp.server.address = 127.0.0.1:" + echoPort + "\n");
        // Bad from the start: the loops start with the defaults, and the console says why.
        Files.writeString(deploy.resolve("dev.uvtcp.cfg"), "loops = -1\n");

        Launched launcher = start("bad-config", work);
        launcher.await("uvtcp: configuration dev.uvtcp REJECTED: loops must be 1..256, was -1."
                + " The loops start with the defaults (loops = 1,");
        launcher.await("  serving:       127.0.0.1:" + echoPort);
        assertEquals("first", launcher.awaitRoundTrip(echoPort, "first"));

        // Bad while running: rejected, the running loops and their connections stay.
        try (Socket open = connect(echoPort)) {
            assertEquals("before", roundTrip(open, "before"));
            Files.writeString(deploy.resolve("dev.uvtcp.cfg"), "loops = two\n");
            launcher.await("uvtcp: configuration dev.uvtcp REJECTED: loops = \"two\": not a"
                    + " valid number");
            launcher.await("The loops keep running as they are (loops = 1,");
            assertEquals("after", roundTrip(open, "after"));
        }
        launcher.command("uvtcp:loops");
        launcher.await("uvtcp-loop-0");
        launcher.command("uvtcp:servers");
        launcher.await("127.0.0.1:" + echoPort + "  serving");
        assertFalse(launcher.output().contains("uvtcp-loop-1"), launcher.output());
        assertFalse(launcher.output().contains("gogo:"), launcher.output());

        // A good value applies (the loops restart).
        Files.writeString(deploy.resolve("dev.uvtcp.cfg"), "loops = 2\n");
        launcher.await("uvtcp: configuration dev.uvtcp changed (loops = 2,");
        long[] lastAsked = {0};
        launcher.await("two loops in uvtcp:loops", () -> {
            if (launcher.output().contains("uvtcp-loop-1")) {
                return true;
            }
            if (System.nanoTime() - lastAsked[0] > TimeUnit.MILLISECONDS.toNanos(500)) {
                lastAsked[0] = System.nanoTime();
                try {
                    launcher.command("uvtcp:loops");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            return false;
        });
        assertEquals("two loops", launcher.awaitRoundTrip(echoPort, "two loops"));

        // With the service bundle stopped, the shell commands say why instead of throwing.
        launcher.command("lb -s");
        Matcher service = Pattern.compile("(?m)^\\s*(\\d+)\\|Active.*\\|dev\\.uvtcp\\.service ")
                .matcher("");
        launcher.await("the service bundle in lb -s",
                () -> service.reset(launcher.output()).find());
        String id = service.group(1);
        launcher.command("stop " + id);
        launcher.await("port " + echoPort + " closed", () -> refuses(echoPort));
        launcher.command("uvtcp:servers");
        launcher.command("uvtcp:loops");
        launcher.await("uvtcp is not running: the bundle dev.uvtcp.service [" + id + "] is not"
                + " active (RESOLVED: it is stopped).");
        launcher.command("start " + id);
        assertEquals("back", launcher.awaitRoundTrip(echoPort, "back"));
        assertFalse(launcher.output().contains("gogo:"), launcher.output());
        assertFalse(launcher.output().contains("NullPointerException"), launcher.output());
    }

    @Test
    void eachFileInDeployThatIsNotInstalledSaysWhy() throws Exception {
        Path deploy = Files.createDirectories(work.resolve("deploy"));
        int echoPort = freePort();
        Files.writeString(deploy.resolve("dev.uvtcp.examples.echo.cfg"),
                "uvtcp.server.address = 127.0.0.1:" + echoPort + "\n");
        Launched launcher = start("deploy-report", work);
        launcher.await("  serving:       127.0.0.1:" + echoPort);

        Files.write(deploy.resolve("corrupt.jar"), "PK this is not a zip".getBytes(UTF_8));
        jar(deploy.resolve("plain.jar"), "Main-Class", "x.Main");
        Files.writeString(deploy.resolve("notes.txt"), "remember the milk\n");
        jar(deploy.resolve("unresolvable.jar"), "Bundle-ManifestVersion", "2",
                "Bundle-SymbolicName", "x.unresolvable", "Bundle-Version", "1.0.0",
                "Import-Package", "com.example.missing");

        launcher.await("uvtcp launcher: deploy/corrupt.jar: not a valid jar (");
        launcher.await("uvtcp launcher: deploy/plain.jar: a plain jar, not an OSGi bundle (its"
                + " manifest has no Bundle-SymbolicName): FileInstall ignores it");
        launcher.await("uvtcp launcher: deploy/notes.txt: neither a bundle (.jar) nor a"
                + " configuration (.cfg, .config): FileInstall ignores it");
        launcher.await("uvtcp launcher: deploy/unresolvable.jar: bundle ");
        launcher.await(" x.unresolvable 1.0.0 is installed but cannot resolve: it imports the"
                + " package com.example.missing, which no installed bundle exports");
        // FileInstall's own warning, from the OSGi log, with the bundle that logged it.
        launcher.await("uvtcp launcher: WARN from org.apache.felix.fileinstall [");
        launcher.await("missing requirement [x.unresolvable ");
        assertEquals("still", launcher.awaitRoundTrip(echoPort, "still"));
    }

    @Test
    void aSecondLauncherOnTheSameFolderRefusesAndOneWhosePortIsTakenSaysSoInItsBanner()
            throws Exception {
        int echoPort = freePort();
        Path firstFolder = Files.createDirectories(work.resolve("first"));
        Path deploy = Files.createDirectories(firstFolder.resolve("deploy"));
        Files.writeString(deploy.resolve("dev.uvtcp.examples.echo.cfg"),
                "uvtcp.server.address = 127.0.0.1:" + echoPort + "\n");
        Launched first = start("first", firstFolder, "--no-shell");
        first.await("  serving:       127.0.0.1:" + echoPort);

        // The same folder, named another way: refused, with the first one's process id.
        Launched same = start("same-folder", firstFolder, "--no-shell", "--deploy",
                "deploy/../deploy/");
        assertEquals(1, same.awaitExit());
        assertTrue(same.output().contains("uvtcp launcher: another uvtcp launcher (process "
                + first.process.pid() + ") already uses the deploy folder "), same.output());
        assertTrue(same.output().contains("--deploy DIR"), same.output());

        // Its own folder, the same port: the banner says it is NOT served, and why.
        Path secondFolder = Files.createDirectories(work.resolve("second"));
        Files.createDirectories(secondFolder.resolve("deploy"));
        Files.copy(deploy.resolve("dev.uvtcp.examples.echo.cfg"),
                secondFolder.resolve("deploy/dev.uvtcp.examples.echo.cfg"));
        Launched second = start("second", secondFolder, "--no-shell");
        second.await("  NOT serving:   127.0.0.1:" + echoPort
                + " for dev.uvtcp.examples.echoplugin [");
        second.await("EADDRINUSE");
        second.await("give it another address in ");
        assertFalse(second.output().contains("  serving:  "), second.output());
        assertEquals("first answers", first.awaitRoundTrip(echoPort, "first answers"));
    }

    @Test
    void commandLineMistakesPrintTheUsageLine() throws Exception {
        for (List<String> mistake : List.of(List.of("--deploy"),
                List.of("--deploy", "--no-shell"), List.of("--bogus"), List.of("deploy"))) {
            Launched launched = start("args " + mistake, work, mistake.toArray(new String[0]));
            assertEquals(2, launched.awaitExit(), launched.output());
            String output = launched.output();
            assertTrue(output.contains("usage: java -jar uvtcp-launcher.jar [--deploy DIR]"
                    + " [--no-shell]"), output);
            assertTrue(output.startsWith("uvtcp launcher: "), output);
            assertNoStackTrace(output);
        }
        Launched help = start("help", work, "--help");
        assertEquals(0, help.awaitExit());
        assertTrue(help.output().startsWith("usage: "), help.output());
    }

    @Test
    void sigtermStopsWithoutStackTraceAndDeletesTheCacheEveryTime() throws Exception {
        Path deploy = Files.createDirectories(work.resolve("deploy"));
        for (int round = 1; round <= 4; round++) {
            int echoPort = freePort();
            Files.writeString(deploy.resolve("dev.uvtcp.examples.echo.cfg"),
                    "uvtcp.server.address = 127.0.0.1:" + echoPort + "\n");
            Launched launcher = start("sigterm-" + round, work);
            launcher.await("Welcome to Apache Felix Gogo");
            assertEquals("round " + round, launcher.awaitRoundTrip(echoPort, "round " + round));

            launcher.process.destroy(); // SIGTERM
            assertEquals(143, launcher.awaitExit(), launcher.output());
            assertNoStackTrace(launcher.output());
            assertNoFrameworkCacheLeft();
        }
    }

    // ---------------------------------------------------------------- helpers

    /** A launcher process, its console (standard output and error together) and its shell. */
    private final class Launched {
        final String name;
        final Process process;
        final Path output;
        final OutputStream shell;

        Launched(String name, Process process, Path output) {
            this.name = name;
            this.process = process;
            this.output = output;
            this.shell = process.getOutputStream();
        }

        String output() {
            try {
                return Files.readString(output);
            } catch (IOException e) {
                return "";
            }
        }

        void command(String line) throws IOException {
            shell.write((line + "\n").getBytes(UTF_8));
            shell.flush();
        }

        void await(String text) throws Exception {
            await("launcher output containing \"" + text + "\"", () -> output().contains(text));
        }

        void await(String what, BooleanSupplier condition) throws Exception {
            long deadline = System.currentTimeMillis() + WAIT_MS;
            while (!condition.getAsBoolean()) {
                if (!process.isAlive()) {
                    fail("the launcher " + name + " ended (exit " + process.exitValue()
                            + ") while waiting for " + what + "; output:\n" + output());
                }
                if (System.currentTimeMillis() > deadline) {
                    fail("not within " + WAIT_MS + " ms: " + what + "; output:\n" + output());
                }
                Thread.sleep(50);
            }
        }

        String awaitRoundTrip(int port, String message) throws Exception {
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

        /**
         * The service id of the whiteboard server serving {@code port}, from
         * {@code uvtcp:servers} typed on the console; -1 if none serves it.
         */
        long serviceServing(int port) {
            try {
                String marker = "no-such-command-" + System.nanoTime();
                command("uvtcp:servers");
                command(marker); // its error message marks the end of the table
                await("uvtcp:servers answered", () -> output().contains(marker));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            String[] lines = output().split("\n");
            for (int i = lines.length - 1; i >= 0; i--) {
                if (lines[i].contains("127.0.0.1:" + port + "  serving")) {
                    return Long.parseLong(lines[i].trim().split("\\s+")[0]);
                }
            }
            return -1;
        }

        int awaitExit() throws InterruptedException {
            if (!process.waitFor(WAIT_MS, TimeUnit.MILLISECONDS)) {
                fail("the launcher " + name + " did not end within " + WAIT_MS + " ms; output:\n"
                        + output());
            }
            return process.exitValue();
        }

        /** By PID: SIGTERM, then SIGKILL if it does not end; its children too. */
        void stop() throws InterruptedException {
            ProcessHandle handle = process.toHandle();
            List<ProcessHandle> children = handle.descendants().toList();
            handle.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                handle.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            children.forEach(ProcessHandle::destroyForcibly);
        }
    }

    private Launched start(String name, Path folder, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(javaExecutable(),
                "-Djava.io.tmpdir=" + tmp.toAbsolutePath(), "-jar",
                System.getProperty("uvtcp.launcher.jar")));
        command.addAll(Arrays.asList(args));
        Path output = work.resolve("launcher-" + started.size() + ".log");
        Process process = new ProcessBuilder(command)
                .directory(folder.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        Launched launched = new Launched(name, process, output);
        started.add(launched);
        return launched;
    }

    private static void assertNoStackTrace(String output) {
        assertFalse(STACK_FRAME.matcher(output).find(), "a stack trace in:\n" + output);
        assertFalse(output.contains("Exception in thread"), output);
        assertFalse(output.contains("NoSuchFileException"), output);
    }

    private void assertNoFrameworkCacheLeft() throws IOException {
        try (Stream<Path> left = Files.list(tmp)) {
            List<String> caches = left.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("uvtcp-felix-")).toList();
            assertEquals(List.of(), caches, "framework caches left in " + tmp);
        }
    }

    private static void jar(Path file, String... manifestEntries) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        for (int i = 0; i < manifestEntries.length; i += 2) {
            manifest.getMainAttributes().putValue(manifestEntries[i], manifestEntries[i + 1]);
        }
        // Written beside and moved in, as a copy that FileInstall must not see half done.
        Path partial = file.resolveSibling(".partial-" + file.getFileName());
        try (OutputStream out = Files.newOutputStream(partial);
                JarOutputStream jar = new JarOutputStream(out, manifest)) {
            jar.putNextEntry(new ZipEntry("readme.txt"));
            jar.write("not much here".getBytes(UTF_8));
        }
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
    }

    private static boolean refuses(int port) {
        try {
            connect(port).close();
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
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
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
