package dev.uvtcp.consumer;

import static dev.uvtcp.testsupport.Sockets.refuses;
import static dev.uvtcp.testsupport.Sockets.roundTrip;
import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.testsupport.Processes;
import dev.uvtcp.testsupport.TestFiles;
import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A separate project, kept under {@code src/it/consumer} and outside uvtcp's reactor, built
 * from the staging file repository by coordinates alone, as a library user would build it: it
 * imports {@code uvtcp-bom} and depends on uvtcp's artifacts without versions. What it made is
 * then run: its program on a plain class path and on the module path (where it requires uvtcp
 * by module name), and Apache Felix with the three uvtcp bundles it resolved and a bundle of
 * its own whose component serves an echo.
 *
 * <p>Where artifacts come from. The consumer's build gets a fresh, empty local repository and
 * a settings file whose one repository is the staging repository. Maven plugins and
 * third-party libraries come, read-only, from a view of this build's local repository without
 * its {@code dev/uvtcp} folder (Maven's {@code maven.repo.local.tail}; the consumer pins the
 * plugin versions uvtcp's build uses). So the build runs offline, and uvtcp's artifacts can
 * only come from the staging repository, which the first test checks. Every process started
 * here is stopped by PID.
 */
class ConsumerProjectIT {

    private static final Path ROOT = Path.of(System.getProperty("uvtcp.root"));
    private static final Path WORK = Path.of(System.getProperty("uvtcp.consumer.work"));
    private static final long BUILD_TIMEOUT_SECONDS = 240;
    private static final long RUN_TIMEOUT_SECONDS = 60;
    private static final List<String> UVTCP_BUNDLES =
            List.of("uvtcp-api", "uvtcp-native", "uvtcp-service");

    private static StagingRepository staging;
    private static Path project;
    private static Path localRepository;

    @BeforeAll
    static void buildTheConsumerProjectByCoordinates() throws Exception {
        staging = StagingRepository.ofThisBuild();
        TestFiles.deleteRecursively(WORK);
        project = WORK.resolve("project");
        TestFiles.copyRecursively(Path.of(System.getProperty("uvtcp.consumer.project")), project);
        // The project's own root: without it Maven would take uvtcp's checkout, above this
        // target folder, for the consumer's root and read its .mvn folder.
        Files.createDirectories(project.resolve(".mvn"));
        localRepository = Files.createDirectories(WORK.resolve("repository"));
        Path thirdParty = withoutUvtcp(Path.of(System.getProperty("uvtcp.outer.repository")),
                WORK.resolve("third-party"));

        List<String> command = new ArrayList<>(List.of(ROOT.resolve("mvnw").toString(), "-B",
                "-s", System.getProperty("uvtcp.consumer.settings"),
                "-f", project.resolve("pom.xml").toString(),
                "-Dmaven.repo.local=" + localRepository,
                "-Dmaven.repo.local.tail=" + thirdParty,
                "-Duvtcp.staging.url=" + staging.root.toUri(),
                "-Duvtcp.version=" + staging.version));
        for (String property : System.getProperty("uvtcp.consumer.properties").split(",")) {
            command.add("-D" + property.trim());
        }
        // Offline: nothing is downloaded; a file repository is still allowed.
        command.addAll(List.of("-o", "-Daether.offline.protocols=file", "package"));
        Path log = WORK.resolve("build.log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(project.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        // Nothing of the calling build's Maven configuration leaks in.
        builder.environment().keySet().removeAll(List.of("MAVEN_ARGS", "MAVEN_OPTS",
                "MAVEN_CONFIG"));
        long start = System.nanoTime();
        Finished build = runToEnd(builder, BUILD_TIMEOUT_SECONDS);
        System.out.printf("consumer project built in %d ms%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        assertThat(build.status()).as("the consumer project's build (%s):%n%s", log,
                lastLines(Files.readString(log), 60)).isZero();
    }

    @Test
    void uvtcpCameFromTheStagingRepositoryOnly() throws Exception {
        Path uvtcp = localRepository.resolve("dev/uvtcp");
        try (Stream<Path> dirs = Files.list(uvtcp)) {
            assertThat(dirs.map(d -> d.getFileName().toString()))
                    .contains("uvtcp-bom", "uvtcp-api", "uvtcp-native", "uvtcp-service");
        }
        // Maven records where each file of its local repository came from.
        List<Path> origins;
        try (Stream<Path> files = Files.walk(uvtcp)) {
            origins = files.filter(f -> f.getFileName().toString().equals("_remote.repositories"))
                    .toList();
        }
        assertThat(origins).isNotEmpty();
        for (Path origin : origins) {
            List<String> lines = Files.readAllLines(origin).stream()
                    .filter(l -> !l.startsWith("#") && !l.isBlank()).toList();
            assertThat(lines).as(origin.toString()).isNotEmpty()
                    .allMatch(l -> l.endsWith(">uvtcp-staging="));
        }
        // And the jars the program and Felix run are, byte for byte, the staged ones.
        for (String artifactId : UVTCP_BUNDLES) {
            byte[] staged = Files.readAllBytes(staging.file(artifactId, "", "jar"));
            String name = artifactId + "-" + staging.version + ".jar";
            assertThat(Files.readAllBytes(project.resolve("app/target/lib").resolve(name)))
                    .as("app/target/lib/" + name).isEqualTo(staged);
            assertThat(Files.readAllBytes(project.resolve("felix-run/target/bundles")
                    .resolve(name))).as("felix-run/target/bundles/" + name).isEqualTo(staged);
        }
    }

    @Test
    void theProgramEchoesOnAPlainClassPath() throws Exception {
        Path app = project.resolve("app/target");
        Finished run = runJava(List.of("-cp", app.resolve("app.jar") + ":" + app.resolve("lib")
                + "/*", "example.consumer.app.Echo", "hello class path"), "class-path");
        assertThat(run.status()).as("exit status; stderr: %s", run.err()).isZero();
        assertThat(run.out()).isEqualTo("echoed \"hello class path\" on the class path\n");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void theProgramRequiresUvtcpByModuleNameAndEchoesOnTheModulePath() throws Exception {
        Path app = project.resolve("app/target");
        // Compiled as a module: its descriptor requires uvtcp's modules by name.
        ModuleDescriptor descriptor = ModuleFinder.of(app.resolve("app.jar")).findAll()
                .iterator().next().descriptor();
        assertThat(descriptor.isAutomatic()).isFalse();
        assertThat(descriptor.requires().stream().map(ModuleDescriptor.Requires::name))
                .contains("dev.uvtcp", "dev.uvtcp.service");

        Finished run = runJava(List.of("--module-path", app.resolve("app.jar") + ":"
                + app.resolve("lib"), "--module", "example.consumer.app/example.consumer.app.Echo",
                "hello module path"), "module-path");
        assertThat(run.status()).as("exit status; stderr: %s", run.err()).isZero();
        assertThat(run.out()).isEqualTo("echoed \"hello module path\" on the module path:"
                + " example.consumer.app with dev.uvtcp and dev.uvtcp.service\n");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void felixRunsTheStagedBundlesAndTheConsumersComponentEchoes() throws Exception {
        Path felix = project.resolve("felix-run/target");
        try (Stream<Path> bundles = Files.list(felix.resolve("bundles"))) {
            assertThat(bundles.map(b -> b.getFileName().toString()))
                    .contains(UVTCP_BUNDLES.stream().map(a -> a + "-" + staging.version + ".jar")
                            .toArray(String[]::new));
        }
        Path out = WORK.resolve("felix.out");
        Process process = new ProcessBuilder(java(), "-cp", felix.resolve("felix-run.jar") + ":"
                + felix.resolve("lib") + "/*", "example.consumer.felix.FelixRun",
                felix.resolve("bundles").toString(), WORK.resolve("felix-cache").toString())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            Matcher listening = awaitOutput(process, out,
                    Pattern.compile("consumer bundle: echo on 127\\.0\\.0\\.1 port (\\d+)"));
            int port = Integer.parseInt(listening.group(1));
            assertThat(roundTrip(port, "hello felix")).isEqualTo("hello felix");

            // End of input stops the framework: the bundle's TcpService is released and the
            // port closed, the loops stopped, and the JVM ends by itself.
            process.getOutputStream().close();
            assertThat(process.waitFor(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS))
                    .as("Felix stops within %d s; output:%n%s", RUN_TIMEOUT_SECONDS,
                            Files.readString(out)).isTrue();
            assertThat(process.exitValue()).as(Files.readString(out)).isZero();
            assertThat(Files.readString(out)).contains("felix: started dev.uvtcp.jni")
                    .contains("felix: started dev.uvtcp.service")
                    .contains("felix: started example.consumer.bundle")
                    .contains("felix: stopped")
                    .doesNotContain("ERROR", "Exception");
            assertThat(refuses(port)).as("port %d closed once Felix stopped", port).isTrue();
        } finally {
            Processes.stop(process, Duration.ofSeconds(20));
        }
    }

    // ---- processes ----

    record Finished(int status, String out, String err) {
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static Finished runJava(List<String> arguments, String name) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(java());
        command.addAll(arguments);
        Path out = WORK.resolve(name + ".out");
        Path err = WORK.resolve(name + ".err");
        Finished run = runToEnd(new ProcessBuilder(command).redirectOutput(out.toFile())
                .redirectError(err.toFile()), RUN_TIMEOUT_SECONDS);
        return new Finished(run.status(), Files.readString(out), Files.readString(err));
    }

    /** Runs a process to its end; stops it (and what it started) by PID if it overruns. */
    private static Finished runToEnd(ProcessBuilder builder, long timeoutSeconds)
            throws Exception {
        Process process = builder.start();
        try {
            process.getOutputStream().close();
            assertThat(process.waitFor(timeoutSeconds, TimeUnit.SECONDS))
                    .as("%s ends within %d s", builder.command(), timeoutSeconds).isTrue();
            return new Finished(process.exitValue(), "", "");
        } finally {
            Processes.stop(process, Duration.ofSeconds(20));
        }
    }

    /** Waits until the process has written a line matching the pattern. */
    private static Matcher awaitOutput(Process process, Path out, Pattern pattern)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(RUN_TIMEOUT_SECONDS);
        while (System.nanoTime() < deadline) {
            Matcher m = pattern.matcher(Files.readString(out));
            if (m.find()) {
                return m;
            }
            assertThat(process.isAlive()).as("process still running; output:%n%s",
                    Files.readString(out)).isTrue();
            Thread.sleep(50);
        }
        throw new AssertionError("no line matching " + pattern + " within "
                + RUN_TIMEOUT_SECONDS + " s; output:\n" + Files.readString(out));
    }

    // ---- files ----

    /**
     * A read-only view of a local repository without uvtcp's own artifacts: a folder of
     * symbolic links to its top-level folders, {@code dev/} rebuilt without {@code uvtcp}.
     */
    private static Path withoutUvtcp(Path repository, Path view) throws IOException {
        Files.createDirectories(view);
        try (Stream<Path> top = Files.list(repository)) {
            for (Path entry : top.toList()) {
                if (!entry.getFileName().toString().equals("dev")) {
                    Files.createSymbolicLink(view.resolve(entry.getFileName().toString()), entry);
                }
            }
        }
        Path dev = repository.resolve("dev");
        if (Files.isDirectory(dev)) {
            Path devView = Files.createDirectories(view.resolve("dev"));
            try (Stream<Path> groups = Files.list(dev)) {
                for (Path group : groups.toList()) {
                    if (!group.getFileName().toString().equals("uvtcp")) {
                        Files.createSymbolicLink(devView.resolve(group.getFileName().toString()),
                                group);
                    }
                }
            }
        }
        return view;
    }

    private static String lastLines(String text, int n) {
        List<String> lines = text.lines().collect(Collectors.toList());
        return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }
}
