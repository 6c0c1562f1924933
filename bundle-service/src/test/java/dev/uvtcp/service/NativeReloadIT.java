package dev.uvtcp.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The native library survives redeploys on a plain class path: 50 fresh class loaders in one
 * JVM, over the built jars of uvtcp-api, uvtcp-native and uvtcp-service, each load the library,
 * serve an echo and close; afterwards every loader has been garbage collected, its library
 * unmapped, and no uvtcp thread, descriptor or extracted file is left.
 *
 * <p>An integration test (failsafe, after {@code package}): it needs the jars themselves. The
 * work happens in {@link NativeReloadChild}, in a JVM of its own with a private
 * {@code java.io.tmpdir} (so extracted files are counted exactly, whatever else runs on the
 * machine) and nothing of uvtcp on its class path (so no loader but the test's own holds a
 * uvtcp class). Three ways the library is found: from the jar, from {@code java.library.path},
 * from {@code -Duvtcp.native.path}.
 */
class NativeReloadIT {

    private static final int ROUNDS = 50;
    private static final Pattern ROUND = Pattern.compile(
            "ROUND (\\d+) threads=(\\d+) contextLoaderThreads=(\\d+) mappedCount=(\\d+) mapped=(.*)");

    @Test
    void fiftyClassLoadersEachLoadAPrivateCopyFromTheJarAndAreAllCollected(@TempDir Path dir)
            throws Exception {
        Run run = runChild(dir);
        run.assertEveryLoaderCollectedAndNothingLeft();
        for (Round round : run.rounds) {
            run.assertPrivateCopy(round);
        }
    }

    @Test
    void aLibraryOnTheLibraryPathServesTheFirstLoaderAndPrivateCopiesOfItTheOthers(
            @TempDir Path dir) throws Exception {
        Path lib = Files.createDirectory(dir.resolve("lib"));
        Path library = extractLibrary(lib.resolve("libuvtcp.so"));
        runChild(dir, "-Djava.library.path=" + lib).assertTheFileThenPrivateCopies(library);
    }

    @Test
    void aLibraryNamedByThePropertyServesTheFirstLoaderAndPrivateCopiesOfItTheOthers(
            @TempDir Path dir) throws Exception {
        Path library = extractLibrary(dir.resolve("given-libuvtcp.so"));
        runChild(dir, "-Duvtcp.native.path=" + library).assertTheFileThenPrivateCopies(library);
    }

    /** What the child printed. */
    private static final class Run {
        final Path tmp;
        final String output;
        final Map<String, String> result;
        final List<Round> rounds;

        Run(Path tmp, String output, Map<String, String> result, List<Round> rounds) {
            this.tmp = tmp;
            this.output = output;
            this.result = result;
            this.rounds = rounds;
        }

        long value(String key) {
            assertThat(result).as("child's output:\n%s", output).containsKey(key);
            return Long.parseLong(result.get(key));
        }

        void assertEveryLoaderCollectedAndNothingLeft() {
            assertThat(result.get("warmUpCollected")).as("the warm-up's loader collected; %s",
                    output).isEqualTo("true");
            assertThat(rounds).as("rounds").hasSize(ROUNDS);
            for (Round round : rounds) {
                assertThat(round.threads).as("uvtcp threads after round %d's close",
                        round.number).isZero();
                assertThat(round.contextLoaderThreads).as("threads with round %d's loader as "
                        + "context class loader", round.number).isZero();
                assertThat(round.mappedCount).as("libraries round %d mapped", round.number)
                        .isEqualTo(1);
            }
            assertThat(rounds.stream().map(r -> r.mapped).distinct().count())
                    .as("every round loaded a file of its own").isEqualTo(ROUNDS);
            assertThat(value("bytesChecked")).isEqualTo(ROUNDS * 64L * 1024);
            assertThat(value("collected")).as("loaders collected; %s", output)
                    .isEqualTo(ROUNDS);
            assertThat(value("mappedAfterRounds")).as("libraries mapped before collecting")
                    .isPositive();
            assertThat(value("mappedAfter")).as("libraries still mapped after collecting "
                    + "(JNI_OnUnload + unmapping)").isEqualTo(value("mappedBefore"));
            assertThat(value("uvtcpThreads")).as("uvtcp threads at the end").isZero();
            assertThat(value("fdsAfter")).as("open descriptors; %s", output)
                    .isEqualTo(value("fdsBefore"));
            assertThat(value("tmpAfter")).as("entries in java.io.tmpdir")
                    .isEqualTo(value("tmpBefore"));
        }

        /**
         * A library file given to the JVM: the first round (whose loader stays until the last
         * round) loads it as it is, every other round a private copy; all collected.
         */
        void assertTheFileThenPrivateCopies(Path library) {
            assertEveryLoaderCollectedAndNothingLeft();
            assertThat(rounds.get(0).mapped).as("round 1 maps the file itself")
                    .isEqualTo(library.toString());
            for (Round round : rounds.subList(1, ROUNDS)) {
                assertPrivateCopy(round);
            }
        }

        /** A deleted file in a directory of its own in the child's java.io.tmpdir. */
        void assertPrivateCopy(Round round) {
            assertThat(round.mapped).as("round %d's library", round.number)
                    .startsWith(tmp + File.separator + "uvtcp-")
                    .matches(Pattern.quote(tmp.toString()) + "/uvtcp-[^/]+/libuvtcp-[^/]+\\.so"
                            + " \\(deleted\\)");
        }
    }

    private static final class Round {
        final int number;
        final int threads;
        final int contextLoaderThreads;
        final int mappedCount;
        final String mapped;

        Round(Matcher m) {
            number = Integer.parseInt(m.group(1));
            threads = Integer.parseInt(m.group(2));
            contextLoaderThreads = Integer.parseInt(m.group(3));
            mappedCount = Integer.parseInt(m.group(4));
            mapped = m.group(5);
        }
    }

    private static Run runChild(Path dir, String... properties) throws Exception {
        Path tmp = Files.createDirectory(dir.resolve("tmp"));
        Path output = dir.resolve("child-output.txt");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("-Xmx256m", "-XX:-UsePerfData", "-Djava.io.tmpdir=" + tmp));
        command.addAll(List.of(properties));
        command.addAll(List.of("-cp", location(NativeReloadChild.class).toString(),
                NativeReloadChild.class.getName(), Integer.toString(ROUNDS)));
        for (String artifact : List.of("uvtcp-api", "uvtcp-native", "uvtcp-service")) {
            command.add(jarOnClassPath(artifact).toString());
        }
        Process child = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        try {
            boolean ended = child.waitFor(90, TimeUnit.SECONDS);
            String out = Files.readString(output, StandardCharsets.UTF_8);
            assertThat(ended).as("child (pid %d) ended; output so far:\n%s", child.pid(), out)
                    .isTrue();
            assertThat(child.exitValue()).as("child's exit status; output:\n%s", out).isZero();
            Map<String, String> result = new HashMap<>();
            List<Round> rounds = new ArrayList<>();
            for (String line : out.split("\n")) {
                Matcher m = ROUND.matcher(line);
                if (m.matches() && !m.group(1).equals("0")) {
                    rounds.add(new Round(m));
                } else if (line.startsWith("RESULT ")) {
                    for (String pair : line.substring(7).split(" ")) {
                        int eq = pair.indexOf('=');
                        result.put(pair.substring(0, eq), pair.substring(eq + 1));
                    }
                }
            }
            assertThat(result).as("the child's RESULT line; output:\n%s", out).isNotEmpty();
            System.out.println(String.join(" ", properties) + " " + out.lines()
                    .filter(l -> l.startsWith("RESULT ")).findFirst().orElseThrow());
            return new Run(tmp, out, result, rounds);
        } finally {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** The jar of a uvtcp artifact on this test's class path (failsafe puts the jars there). */
    private static Path jarOnClassPath(String artifact) {
        // uvtcp-api.jar in the reactor, uvtcp-api-0.1.0-SNAPSHOT.jar from a Maven repository
        Pattern jar = Pattern.compile(Pattern.quote(artifact) + "(-\\d[^-]*(-SNAPSHOT)?)?\\.jar");
        List<Path> found = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (jar.matcher(Path.of(entry).getFileName().toString()).matches()) {
                found.add(Path.of(entry).toAbsolutePath());
            }
        }
        assertThat(found).as("the %s jar on the class path (run by failsafe after package): %s",
                artifact, System.getProperty("java.class.path")).hasSize(1);
        return found.get(0);
    }

    private static Path location(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    /** This platform's library from the native jar, as a plain file for the two file cases. */
    private static Path extractLibrary(Path target) throws IOException {
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        String platform = "linux-" + (arch.equals("amd64") ? "x86_64" : arch);
        try (JarFile jar = new JarFile(jarOnClassPath("uvtcp-native").toFile());
                InputStream in = jar.getInputStream(jar.getEntry(
                        "META-INF/native/" + platform + "/libuvtcp.so"))) {
            Files.copy(in, target);
        }
        return target;
    }
}
