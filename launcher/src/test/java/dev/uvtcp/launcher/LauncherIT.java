package dev.uvtcp.launcher;

import static dev.uvtcp.testsupport.Sockets.connect;
import static dev.uvtcp.testsupport.Sockets.freePort;
import static dev.uvtcp.testsupport.Sockets.refuses;
import static dev.uvtcp.testsupport.Sockets.roundTrip;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.uvtcp.testsupport.ChildProcess;
import dev.uvtcp.testsupport.Processes;
import dev.uvtcp.testsupport.TestFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged launcher started as a process, as a person would ({@code java -jar}), in a
 * fresh working folder, and what its console shows: the echo plugin answers, a plugin jar
 * copied into {@code deploy/} starts serving and stops when removed, the client example
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

    private static final Duration WAIT = Duration.ofSeconds(20);
    /** A stack trace line, as {@code Throwable.printStackTrace} writes it. */
    private static final Pattern STACK_FRAME = Pattern.compile("(?m)^\\s+at [\\w.$/]+\\(");

    private Path work;
    private Path tmp;
    private final List<ChildProcess> started = new ArrayList<>();

    @BeforeEach
    void freshWorkFolder() throws IOException {
        Path root = Path.of(System.getProperty("uvtcp.launcher.work", "target/launcher-it"));
        TestFiles.deleteRecursively(root);
        work = Files.createDirectories(root);
        tmp = Files.createDirectories(work.resolve("tmp"));
    }

    @AfterEach
    void stopEveryLauncher() throws Exception {
        for (ChildProcess launched : started) {
            launched.stop();
            System.out.println("launcher " + launched.name() + " output:\n" + launched.output());
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
        ChildProcess launcher = start("main", work);
        launcher.awaitOutput("uvtcp launcher: Felix", WAIT);
        launcher.awaitOutput("Welcome to Apache Felix Gogo", WAIT);
        // The banner says what is served, and where.
        launcher.awaitOutput("  serving:       127.0.0.1:" + echoPort
                + " for dev.uvtcp.examples.echoplugin [", WAIT);
        launcher.awaitOutput("log 10 warn", WAIT);

        // The echo plugin, moved to a free port by its .cfg file in deploy/.
        assertEquals("hello launcher", launcher.awaitRoundTrip(echoPort, "hello launcher", WAIT));
        System.out.printf("launcher: echo answered %d ms after the process started%n",
                (System.nanoTime() - start) / 1_000_000);

        // A plugin jar copied into deploy/ starts serving ...
        Files.writeString(deploy.resolve("dev.uvtcp.examples.upper.cfg"),
                "uvtcp.server.address = " + upperPort + "\n");
        Path upperJar = deploy.resolve("uvtcp-example-upper-plugin.jar");
        Files.copy(Path.of(System.getProperty("uvtcp.upper.jar")), upperJar,
                StandardCopyOption.REPLACE_EXISTING);
        assertEquals("SHOUT 42", launcher.awaitRoundTrip(upperPort, "shout 42", WAIT));
        // ... and the console says which bundle it became.
        launcher.awaitOutput("deploy/uvtcp-example-upper-plugin.jar: bundle ", WAIT);
        launcher.awaitOutput(" dev.uvtcp.examples.upper 0.1.0.SNAPSHOT is active", WAIT);

        // ... and the shell shows both servers, the loop and the handles.
        try (Socket open = connect(echoPort)) {
            assertEquals("open", roundTrip(open, "open"));
            launcher.send("uvtcp:servers");
            launcher.awaitOutput("127.0.0.1:" + echoPort + "  serving", WAIT);
            launcher.awaitOutput("127.0.0.1:" + upperPort + "  serving", WAIT);
            launcher.awaitOutput("dev.uvtcp.examples.upper [", WAIT);
            launcher.send("uvtcp:loops");
            launcher.awaitOutput("uvtcp-loop-0", WAIT);
            launcher.send("uvtcp:handles");
            launcher.awaitOutput("connected", WAIT);
            launcher.awaitOutput("bundle dev.uvtcp.examples.echoplugin", WAIT);
        }

        // Removing the jar stops the server.
        Files.delete(upperJar);
        launcher.await("port " + upperPort + " refuses connections once the jar is removed", WAIT,
                () -> refuses(upperPort));

        // The client example connects out to the echo plugin and logs the answer.
        Files.writeString(deploy.resolve("dev.uvtcp.examples.client.cfg"),
                "address = 127.0.0.1:" + echoPort + "\n");
        Files.copy(Path.of(System.getProperty("uvtcp.client.jar")),
                deploy.resolve("uvtcp-example-client.jar"), StandardCopyOption.REPLACE_EXISTING);
        launcher.awaitOutput("127.0.0.1:" + echoPort
                + " answered: hello from the uvtcp client example", WAIT);

        // A configuration change moves the echo plugin: the whiteboard rebinds.
        int movedPort = freePort();
        Files.writeString(deploy.resolve("dev.uvtcp.examples.echo.cfg"),
                "uvtcp.server.address = 127.0.0.1:" + movedPort + "\n");
        assertEquals("moved", launcher.awaitRoundTrip(movedPort, "moved", WAIT));
        launcher.await("the old port is closed", WAIT, () -> refuses(echoPort));

        // "stop 0" ends the process normally, and nothing is left in its temporary folder.
        launcher.send("stop 0");
        assertEquals(0, launcher.awaitExit(WAIT));
        assertNoStackTrace(launcher.output());
        assertNoFrameworkCacheLeft();
    }

    @Test
    void badLoopsValuesAreRejectedOnTheConsoleAndTheEchoKeepsAnswering() throws Exception {
        Path deploy = Files.createDirectories(work.resolve("deploy"));
        int echoPort = freePort();
        Files.writeString(deploy.resolve("dev.uvtcp.examples.echo.cfg"),
                "uvtcp.server.address = 127.0.0.1:" + echoPort + "\n");
        // Bad from the start: the loops start with the defaults, and the console says why.
        Files.writeString(deploy.resolve("dev.uvtcp.cfg"), "loops = -1\n");

        ChildProcess launcher = start("bad-config", work);
        launcher.awaitOutput("uvtcp: configuration dev.uvtcp REJECTED: loops must be 1..256,"
                + " was -1. The loops start with the defaults (loops = 1,", WAIT);
        launcher.awaitOutput("  serving:       127.0.0.1:" + echoPort, WAIT);
        assertEquals("first", launcher.awaitRoundTrip(echoPort, "first", WAIT));

        // Bad while running: rejected, the running loops and their connections stay.
        try (Socket open = connect(echoPort)) {
            assertEquals("before", roundTrip(open, "before"));
            Files.writeString(deploy.resolve("dev.uvtcp.cfg"), "loops = two\n");
            launcher.awaitOutput("uvtcp: configuration dev.uvtcp REJECTED: loops = \"two\": not a"
                    + " valid number", WAIT);
            launcher.awaitOutput("The loops keep running as they are (loops = 1,", WAIT);
            assertEquals("after", roundTrip(open, "after"));
        }
        launcher.send("uvtcp:loops");
        launcher.awaitOutput("uvtcp-loop-0", WAIT);
        launcher.send("uvtcp:servers");
        launcher.awaitOutput("127.0.0.1:" + echoPort + "  serving", WAIT);
        assertFalse(launcher.output().contains("uvtcp-loop-1"), launcher.output());
        assertFalse(launcher.output().contains("gogo:"), launcher.output());

        // A good value applies (the loops restart).
        Files.writeString(deploy.resolve("dev.uvtcp.cfg"), "loops = 2\n");
        launcher.awaitOutput("uvtcp: configuration dev.uvtcp changed (loops = 2,", WAIT);
        long[] lastAsked = {0};
        launcher.await("two loops in uvtcp:loops", WAIT, () -> {
            if (launcher.output().contains("uvtcp-loop-1")) {
                return true;
            }
            if (System.nanoTime() - lastAsked[0] > TimeUnit.MILLISECONDS.toNanos(500)) {
                lastAsked[0] = System.nanoTime();
                try {
                    launcher.send("uvtcp:loops");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            return false;
        });
        assertEquals("two loops", launcher.awaitRoundTrip(echoPort, "two loops", WAIT));

        // With the service bundle stopped, the shell commands say why instead of throwing.
        launcher.send("lb -s");
        Matcher service = Pattern.compile("(?m)^\\s*(\\d+)\\|Active.*\\|dev\\.uvtcp\\.service ")
                .matcher("");
        launcher.await("the service bundle in lb -s", WAIT,
                () -> service.reset(launcher.output()).find());
        String id = service.group(1);
        launcher.send("stop " + id);
        launcher.await("port " + echoPort + " closed", WAIT, () -> refuses(echoPort));
        launcher.send("uvtcp:servers");
        launcher.send("uvtcp:loops");
        launcher.awaitOutput("uvtcp is not running: the bundle dev.uvtcp.service [" + id
                + "] is not active (RESOLVED: it is stopped).", WAIT);
        launcher.send("start " + id);
        assertEquals("back", launcher.awaitRoundTrip(echoPort, "back", WAIT));
        assertFalse(launcher.output().contains("gogo:"), launcher.output());
        assertFalse(launcher.output().contains("NullPointerException"), launcher.output());
    }

    @Test
    void eachFileInDeployThatIsNotInstalledSaysWhy() throws Exception {
        Path deploy = Files.createDirectories(work.resolve("deploy"));
        int echoPort = freePort();
        Files.writeString(deploy.resolve("dev.uvtcp.examples.echo.cfg"),
                "uvtcp.server.address = 127.0.0.1:" + echoPort + "\n");
        ChildProcess launcher = start("deploy-report", work);
        launcher.awaitOutput("  serving:       127.0.0.1:" + echoPort, WAIT);

        Files.write(deploy.resolve("corrupt.jar"), "PK this is not a zip".getBytes(UTF_8));
        jar(deploy.resolve("plain.jar"), "Main-Class", "x.Main");
        Files.writeString(deploy.resolve("notes.txt"), "remember the milk\n");
        jar(deploy.resolve("unresolvable.jar"), "Bundle-ManifestVersion", "2",
                "Bundle-SymbolicName", "x.unresolvable", "Bundle-Version", "1.0.0",
                "Import-Package", "com.example.missing");

        launcher.awaitOutput("uvtcp launcher: deploy/corrupt.jar: not a valid jar (", WAIT);
        launcher.awaitOutput("uvtcp launcher: deploy/plain.jar: a plain jar, not an OSGi bundle"
                + " (its manifest has no Bundle-SymbolicName): FileInstall ignores it", WAIT);
        launcher.awaitOutput("uvtcp launcher: deploy/notes.txt: neither a bundle (.jar) nor a"
                + " configuration (.cfg, .config): FileInstall ignores it", WAIT);
        launcher.awaitOutput("uvtcp launcher: deploy/unresolvable.jar: bundle ", WAIT);
        launcher.awaitOutput(" x.unresolvable 1.0.0 is installed but cannot resolve: it imports the"
                + " package com.example.missing, which no installed bundle exports", WAIT);
        // FileInstall's own warning, from the OSGi log, with the bundle that logged it.
        launcher.awaitOutput("uvtcp launcher: WARN from org.apache.felix.fileinstall [", WAIT);
        launcher.awaitOutput("missing requirement [x.unresolvable ", WAIT);
        assertEquals("still", launcher.awaitRoundTrip(echoPort, "still", WAIT));
    }

    @Test
    void aSecondLauncherOnTheSameFolderRefusesAndOneWhosePortIsTakenSaysSoInItsBanner()
            throws Exception {
        int echoPort = freePort();
        Path firstFolder = Files.createDirectories(work.resolve("first"));
        Path deploy = Files.createDirectories(firstFolder.resolve("deploy"));
        Files.writeString(deploy.resolve("dev.uvtcp.examples.echo.cfg"),
                "uvtcp.server.address = 127.0.0.1:" + echoPort + "\n");
        ChildProcess first = start("first", firstFolder, "--no-shell");
        first.awaitOutput("  serving:       127.0.0.1:" + echoPort, WAIT);

        // The same folder, named another way: refused, with the first one's process id.
        ChildProcess same = start("same-folder", firstFolder, "--no-shell", "--deploy",
                "deploy/../deploy/");
        assertEquals(1, same.awaitExit(WAIT));
        assertTrue(same.output().contains("uvtcp launcher: another uvtcp launcher (process "
                + first.process().pid() + ") already uses the deploy folder "), same.output());
        assertTrue(same.output().contains("--deploy DIR"), same.output());

        // Its own folder, the same port: the banner says it is NOT served, and why.
        Path secondFolder = Files.createDirectories(work.resolve("second"));
        Files.createDirectories(secondFolder.resolve("deploy"));
        Files.copy(deploy.resolve("dev.uvtcp.examples.echo.cfg"),
                secondFolder.resolve("deploy/dev.uvtcp.examples.echo.cfg"));
        ChildProcess second = start("second", secondFolder, "--no-shell");
        second.awaitOutput("  NOT serving:   127.0.0.1:" + echoPort
                + " for dev.uvtcp.examples.echoplugin [", WAIT);
        second.awaitOutput("EADDRINUSE", WAIT);
        second.awaitOutput("give it another address in ", WAIT);
        assertFalse(second.output().contains("  serving:  "), second.output());
        assertEquals("first answers", first.awaitRoundTrip(echoPort, "first answers", WAIT));
    }

    @Test
    void commandLineMistakesPrintTheUsageLine() throws Exception {
        for (List<String> mistake : List.of(List.of("--deploy"),
                List.of("--deploy", "--no-shell"), List.of("--bogus"), List.of("deploy"))) {
            ChildProcess launched = start("args " + mistake, work, mistake.toArray(new String[0]));
            assertEquals(2, launched.awaitExit(WAIT), launched.output());
            String output = launched.output();
            assertTrue(output.contains("usage: java -jar uvtcp-launcher.jar [--deploy DIR]"
                    + " [--no-shell]"), output);
            assertTrue(output.startsWith("uvtcp launcher: "), output);
            assertNoStackTrace(output);
        }
        ChildProcess help = start("help", work, "--help");
        assertEquals(0, help.awaitExit(WAIT));
        assertTrue(help.output().startsWith("usage: "), help.output());
    }

    @Test
    void sigtermStopsWithoutStackTraceAndDeletesTheCacheEveryTime() throws Exception {
        Path deploy = Files.createDirectories(work.resolve("deploy"));
        for (int round = 1; round <= 4; round++) {
            int echoPort = freePort();
            Files.writeString(deploy.resolve("dev.uvtcp.examples.echo.cfg"),
                    "uvtcp.server.address = 127.0.0.1:" + echoPort + "\n");
            ChildProcess launcher = start("sigterm-" + round, work);
            launcher.awaitOutput("Welcome to Apache Felix Gogo", WAIT);
            assertEquals("round " + round,
                    launcher.awaitRoundTrip(echoPort, "round " + round, WAIT));

            launcher.process().destroy(); // SIGTERM
            assertEquals(143, launcher.awaitExit(WAIT), launcher.output());
            assertNoStackTrace(launcher.output());
            assertNoFrameworkCacheLeft();
        }
    }

    /**
     * Socket activation: {@code systemd-socket-activate} (systemd's tool for trying it without
     * systemd) listens on a loopback port and, at the first connection, starts a wrapper that
     * runs the launcher twice, each time as {@code sh -c 'LISTEN_PID=$$ ... exec java ...'} so
     * that the hand-over names the JVM's own process id. The echo plugin serves the inherited
     * socket ({@code fd:echo}, then the matching address); the first launcher is stopped by
     * PID and the second takes over the same socket while a client keeps connecting: no
     * connection is refused, and the ones made while no launcher ran are answered by the
     * second.
     */
    @Test
    void underSocketActivationARestartedLauncherServesTheSameSocketAndRefusesNoConnection()
            throws Exception {
        Path activate = Path.of("/usr/bin/systemd-socket-activate");
        Assumptions.assumeTrue(Files.isExecutable(activate),
                activate + " (Debian package systemd) is not installed");
        Path deploy = Files.createDirectories(work.resolve("deploy"));
        Path echoConfig = deploy.resolve("dev.uvtcp.examples.echo.cfg");
        Files.writeString(echoConfig, "uvtcp.server.address = fd:echo\n");
        Path wrapper = work.resolve("launch-twice.sh");
        Files.writeString(wrapper, String.join("\n",
                "#!/bin/sh",
                "# The launcher, twice, under the socket handed over as descriptor 3.",
                "for run in 1 2; do",
                "  sh -c 'echo $$ > launcher-$1.pid; LISTEN_PID=$$; export LISTEN_PID; shift;"
                        + " exec \"$@\"' sh \"$run\" \"$@\"",
                "done", ""));
        Files.setPosixFilePermissions(wrapper,
                java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        int port = freePort();
        // The wrapper is run as "sh launch-twice.sh JAVA ARGS": its "$@" is java's command.
        List<String> command = new ArrayList<>(List.of(activate.toString(),
                "--listen=127.0.0.1:" + port, "--fdname=echo", "/bin/sh", wrapper.toString()));
        command.addAll(launcherCommand("--no-shell"));
        ChildProcess manager = startCommand("systemd-socket-activate", work, command);
        ConnectingClient client = null;
        try {
            manager.awaitOutput("Listening on 127.0.0.1:" + port, WAIT);
            // The first connection starts the launcher; it waits in the socket meanwhile.
            try (Socket first = connect(port)) {
                first.setSoTimeout((int) WAIT.toMillis());
                assertEquals("activated", roundTrip(first, "activated"));
            }
            manager.awaitOutput(
                    "uvtcp: sockets handed over by the service manager: [fd 3 (echo)]", WAIT);
            manager.awaitOutput("  serving:       127.0.0.1:" + port
                    + " for dev.uvtcp.examples.echoplugin [", WAIT);
            long firstPid = awaitPid(manager, work.resolve("launcher-1.pid"));

            // The same socket named by its address: the whiteboard rebinds onto it again.
            Files.writeString(echoConfig, "uvtcp.server.address = 127.0.0.1:" + port + "\n");
            manager.await("the echo rebound onto the inherited socket", WAIT,
                    () -> count(manager.output(), "serves the inherited socket fd 3 (echo)") == 2);
            assertEquals("by address", manager.awaitRoundTrip(port, "by address", WAIT));
            assertFalse(manager.output().contains("EADDRINUSE"), manager.output());

            client = new ConnectingClient(port, 20, 5_000, 120_000, (int) WAIT.toMillis());
            client.start();
            ConnectingClient running = client;
            manager.await("echoes before the restart", WAIT, () -> running.echoed.get() >= 20);
            ProcessHandle firstLauncher = ProcessHandle.of(firstPid).orElseThrow();
            firstLauncher.destroy(); // SIGTERM
            firstLauncher.onExit().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            long firstGone = System.nanoTime();
            long secondPid = awaitPid(manager, work.resolve("launcher-2.pid"));
            manager.await("the second launcher serves the inherited socket", WAIT,
                    () -> count(manager.output(), "serves the inherited socket fd 3 (echo)") == 3);
            long secondServing = System.nanoTime();
            int echoedBefore = running.echoed.get();
            manager.await("echoes from the second launcher", WAIT,
                    () -> running.echoed.get() >= echoedBefore + 20);
            client.stop();
            long whileDown = client.echoedConnectedBetween(firstGone, secondServing);
            System.out.printf("socket activation: launcher %d stopped, launcher %d took over in"
                    + " %d ms; client: %s; %d of the echoed connections were made while no"
                    + " launcher ran%n", firstPid, secondPid,
                    (secondServing - firstGone) / 1_000_000, client, whileDown);
            assertEquals(0, client.refused.get(), "refused connections: " + client);
            assertEquals(0, client.failed.get(), "timed out: " + client);
            assertTrue(whileDown > 0, "connections made while no launcher ran were answered: "
                    + client);
            ProcessHandle.of(secondPid).ifPresent(ProcessHandle::destroy);
            // The wrapper ends with its last launcher's status: 143, SIGTERM.
            assertEquals(143, manager.awaitExit(WAIT), manager.output());
            assertNoStackTrace(manager.output());
        } finally {
            if (client != null) {
                client.stop();
            }
            // The manager first (no further launch), then each launcher by its PID.
            manager.stop();
            for (int run = 1; run <= 2; run++) {
                Path pidFile = work.resolve("launcher-" + run + ".pid");
                if (Files.exists(pidFile)) {
                    String pid = Files.readString(pidFile).strip();
                    if (!pid.isEmpty()) {
                        ProcessHandle.of(Long.parseLong(pid))
                                .ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
            }
        }
    }

    /** The PID a wrapper wrote (its shell's, which exec made the launcher's). */
    private static long awaitPid(ChildProcess manager, Path pidFile) throws Exception {
        manager.await(pidFile.getFileName() + " written", WAIT, () -> {
            try {
                return Files.readString(pidFile).strip().matches("[0-9]+");
            } catch (IOException notYet) {
                return false;
            }
        });
        return Long.parseLong(Files.readString(pidFile).strip());
    }

    private static int count(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            count++;
        }
        return count;
    }

    // ---------------------------------------------------------------- helpers

    /** A launcher: its console (standard output and error together) and its shell. */
    private ChildProcess start(String name, Path folder, String... args) throws IOException {
        return startCommand("the launcher " + name, folder, launcherCommand(args));
    }

    /** {@code java -jar uvtcp-launcher.jar ARGS}, with its temporary folder in the test's. */
    private List<String> launcherCommand(String... args) {
        List<String> command = new ArrayList<>(List.of(Processes.javaExecutable(),
                "-Djava.io.tmpdir=" + tmp.toAbsolutePath(), "-jar",
                Path.of(System.getProperty("uvtcp.launcher.jar")).toAbsolutePath().toString()));
        command.addAll(Arrays.asList(args));
        return command;
    }

    /** A process, its output (standard output and error together) in the test's folder. */
    private ChildProcess startCommand(String name, Path folder, List<String> command)
            throws IOException {
        ChildProcess launched = ChildProcess.start(name,
                new ProcessBuilder(command).directory(folder.toFile()),
                work.resolve("launcher-" + started.size() + ".log"));
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

}
