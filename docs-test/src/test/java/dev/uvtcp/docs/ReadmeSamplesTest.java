package dev.uvtcp.docs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.ConnectionHandler;
import dev.uvtcp.Tcp;
import dev.uvtcp.service.StandaloneTcpService;
import dev.uvtcp.service.TcpServiceSettings;
import dev.uvtcp.testsupport.Processes;
import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every code sample of the README, as a user would take it: each {@code ```java} block is a
 * complete source file, compiled as shown against the built jars; the runnable ones are run
 * and do what the text says.
 *
 * <p>The convention, in README.md: the line before each {@code ```java} (or checked
 * {@code ```xml}) block is an HTML comment, invisible on GitHub, saying what is checked:
 * <ul>
 *   <li>{@code <!-- sample: compile -->}: compiles as shown (the OSGi components: against
 *       the API and the OSGi component annotations);</li>
 *   <li>{@code <!-- sample: compile, echoes as a ConnectionHandler -->}: compiles, and an
 *       instance served by a {@code StandaloneTcpService} echoes and leaves nothing open;</li>
 *   <li>{@code <!-- sample: run, prints: TEXT -->}: a program with {@code main}, run in its own
 *       JVM 10 times in a row: each run exits by itself with status 0, prints exactly TEXT
 *       on stdout and nothing on stderr;</li>
 *   <li>{@code <!-- sample: dependencies -->} ({@code xml}): the coordinates are the build's
 *       own.</li>
 * </ul>
 * A {@code ```java} block without such a comment fails the test, so that no sample escapes.
 */
class ReadmeSamplesTest {

    private static final Path ROOT = Path.of(System.getProperty("uvtcp.root", ".."))
            .toAbsolutePath().normalize();
    private static final Path README = ROOT.resolve("README.md");
    private static final Path OUT = Path.of(System.getProperty("uvtcp.samples.dir",
            "target/readme-samples"));
    private static final Pattern MARKER = Pattern.compile("<!-- sample: (.+?) -->");
    private static final Pattern CLASS_NAME =
            Pattern.compile("^public (?:final )?class (\\w+)", Pattern.MULTILINE);
    private static final int RUNS = 10;
    private static final long RUN_TIMEOUT_SECONDS = 30;

    /** Compiled samples, by README line: their classes directory. */
    private static final Map<Integer, Path> COMPILED = new ConcurrentHashMap<>();

    /** A fenced block of the README: where it starts, its language, marker and text. */
    record Block(int line, String language, String marker, String code) {

        String className() {
            Matcher m = CLASS_NAME.matcher(code);
            assertThat(m.find()).as("README line %d: a sample is a complete file with a "
                    + "public class", line).isTrue();
            return m.group(1);
        }

        @Override
        public String toString() {
            return "README.md line " + line + " (" + marker + ")";
        }
    }

    static List<Block> blocks() throws IOException {
        List<String> lines = Files.readAllLines(README, UTF_8);
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String fence = lines.get(i);
            if (!fence.startsWith("```") || fence.length() == 3) {
                continue;
            }
            String language = fence.substring(3).trim();
            String marker = null;
            for (int j = i - 1; j >= 0; j--) {
                if (!lines.get(j).isBlank()) {
                    Matcher m = MARKER.matcher(lines.get(j).trim());
                    marker = m.matches() ? m.group(1) : null;
                    break;
                }
            }
            StringBuilder code = new StringBuilder();
            int j = i + 1;
            while (j < lines.size() && !lines.get(j).startsWith("```")) {
                code.append(lines.get(j)).append('\n');
                j++;
            }
            blocks.add(new Block(i + 1, language, marker, code.toString()));
            i = j;
        }
        return blocks;
    }

    static List<Block> javaSamples() throws IOException {
        return blocks().stream().filter(b -> b.language().equals("java"))
                .collect(Collectors.toList());
    }

    @Test
    void everyJavaBlockOfTheReadmeIsAMarkedSample() throws IOException {
        List<Block> java = javaSamples();
        assertThat(java).as("java blocks in README.md").hasSizeGreaterThanOrEqualTo(3);
        assertThat(java).as("java blocks without a <!-- sample: ... --> line before them")
                .allSatisfy(b -> assertThat(b.marker()).as(b.toString()).isNotNull()
                        .matches("compile|compile, echoes as a ConnectionHandler"
                                + "|run, prints: .+"));
        assertThat(java).extracting(Block::marker)
                .anyMatch(m -> m.startsWith("run, prints: "))
                .anyMatch(m -> m.equals("compile, echoes as a ConnectionHandler"));
    }

    @TestFactory
    Stream<DynamicTest> everyJavaSampleCompilesAsShown() throws IOException {
        return javaSamples().stream().map(b -> DynamicTest.dynamicTest(b.toString(),
                () -> compiled(b)));
    }

    @Test
    void theApiTourPrintsItsTextEveryTimeAndEnds() throws Exception {
        List<Block> runnable = javaSamples().stream()
                .filter(b -> b.marker().startsWith("run, prints: "))
                .collect(Collectors.toList());
        assertThat(runnable).isNotEmpty();
        for (Block sample : runnable) {
            String expected = sample.marker().substring("run, prints: ".length());
            Path classes = compiled(sample);
            for (int run = 1; run <= RUNS; run++) {
                Result result = run(classes, sample.className(), run);
                assertThat(result.exitStatus()).as("%s, run %d: exit status (stderr: %s)",
                        sample, run, result.err()).isZero();
                assertThat(result.out()).as("%s, run %d: stdout", sample, run)
                        .isEqualTo(expected + System.lineSeparator());
                assertThat(result.err()).as("%s, run %d: stderr", sample, run).isEmpty();
            }
        }
    }

    @Test
    void theWhiteboardHandlerEchoesAndLeavesOnlyTheListener() throws Exception {
        List<Block> handlers = javaSamples().stream()
                .filter(b -> b.marker().equals("compile, echoes as a ConnectionHandler"))
                .collect(Collectors.toList());
        assertThat(handlers).isNotEmpty();
        for (Block sample : handlers) {
            Path classes = compiled(sample);
            try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
                    getClass().getClassLoader());
                    StandaloneTcpService uv = StandaloneTcpService.start(
                            TcpServiceSettings.defaults().withThreadNamePrefix("docs-"))) {
                ConnectionHandler handler = loader.loadClass(sample.className())
                        .asSubclass(ConnectionHandler.class).getConstructor().newInstance();
                Tcp server = uv.listen("127.0.0.1", 0, 16, handler);
                InetSocketAddress address = server.localAddress();
                for (int i = 0; i < 20; i++) {
                    try (Socket client = new Socket()) {
                        client.connect(address, 5000);
                        client.setSoTimeout(5000);
                        byte[] message = ("echo " + i).getBytes(UTF_8);
                        client.getOutputStream().write(message);
                        assertThat(client.getInputStream().readNBytes(message.length))
                                .as(sample + ": echo " + i).isEqualTo(message);
                    }
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (uv.handles().size() > 1 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertThat(uv.handles()).as(sample + ": handles once the clients left")
                        .containsExactly(server);
            }
        }
    }

    @Test
    void theDependencySnippetNamesTheBuildsOwnArtifacts() throws IOException {
        List<Block> snippets = blocks().stream()
                .filter(b -> "dependencies".equals(b.marker())).collect(Collectors.toList());
        assertThat(snippets).as("<!-- sample: dependencies --> blocks").hasSize(1);
        Block snippet = snippets.get(0);
        assertThat(snippet.language()).isEqualTo("xml");
        List<String> groups = values(snippet.code(), "groupId");
        List<String> artifacts = values(snippet.code(), "artifactId");
        List<String> versions = values(snippet.code(), "version");
        assertThat(groups).isNotEmpty().containsOnly("dev.uvtcp");
        assertThat(versions).hasSameSizeAs(artifacts)
                .containsOnly(System.getProperty("uvtcp.version"));
        List<String> built = new ArrayList<>();
        for (String module : List.of("bundle-api", "bundle-native", "bundle-service")) {
            built.add(ownArtifactId(ROOT.resolve(module).resolve("pom.xml")));
        }
        assertThat(built).containsAll(artifacts);
        // "brings uvtcp-api and uvtcp-native with it": compile-scope dependencies of the service.
        String servicePom = Files.readString(ROOT.resolve("bundle-service/pom.xml"));
        for (String dependency : List.of("uvtcp-api", "uvtcp-native")) {
            Matcher m = Pattern.compile("<artifactId>" + dependency + "</artifactId>\\s*"
                    + "(<version>[^<]*</version>\\s*)?</dependency>").matcher(servicePom);
            assertThat(m.find()).as("uvtcp-service depends on %s without a scope", dependency)
                    .isTrue();
        }
    }

    @Test
    void thePlainClasspathCommandNamesJarsTheBuildMakes() throws IOException {
        String readme = Files.readString(README);
        Matcher m = Pattern.compile("java -cp (\\S+) dev\\.uvtcp\\.examples\\.echo\\."
                + "PlainEchoServer").matcher(readme);
        assertThat(m.find()).as("the plain-classpath command in README.md").isTrue();
        String[] jars = m.group(1).split(":");
        assertThat(jars).hasSize(4);
        for (String jar : jars) {
            assertThat(ROOT.resolve(jar)).as("built by ./mvnw install").isRegularFile();
        }
    }

    // ---- helpers ----

    /** Compiles a sample once (as a file named after its public class) and returns its classes. */
    private static synchronized Path compiled(Block sample) throws IOException {
        Path done = COMPILED.get(sample.line());
        if (done != null) {
            return done;
        }
        Path dir = OUT.resolve("line-" + sample.line());
        Path src = dir.resolve("src");
        Path classes = dir.resolve("classes");
        Files.createDirectories(src);
        Files.createDirectories(classes);
        Path file = src.resolve(sample.className() + ".java");
        Files.writeString(file, sample.code(), UTF_8);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac).as("a JDK's compiler").isNotNull();
        StringWriter messages = new StringWriter();
        boolean ok = javac.getTask(messages, null, null, List.of("-classpath",
                System.getProperty("java.class.path"), "-d", classes.toString(), "-proc:none",
                "-Xlint:all", "-Werror", "--release", "17"), null,
                javac.getStandardFileManager(null, null, UTF_8).getJavaFileObjects(
                        file.toFile())).call();
        assertThat(ok).as("%s compiles as shown; javac says:%n%s", sample, messages).isTrue();
        COMPILED.put(sample.line(), classes);
        return classes;
    }

    record Result(int exitStatus, String out, String err) {
    }

    /** Runs a compiled sample in its own JVM; stops it by PID if it has not ended in time. */
    private static Result run(Path classes, String mainClass, int run) throws Exception {
        Path out = classes.resolveSibling("run-" + run + ".out");
        Path err = classes.resolveSibling("run-" + run + ".err");
        Process process = new ProcessBuilder(Processes.javaExecutable(), "-cp",
                classes + File.pathSeparator + System.getProperty("java.class.path"), mainClass)
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            assertThat(process.waitFor(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS))
                    .as("%s run %d ends by itself within %d s (stderr: %s)", mainClass, run,
                            RUN_TIMEOUT_SECONDS, Files.readString(err)).isTrue();
            return new Result(process.exitValue(), Files.readString(out),
                    Files.readString(err));
        } finally {
            Processes.stop(process, Duration.ofSeconds(5));
        }
    }

    private static List<String> values(String xml, String element) {
        Matcher m = Pattern.compile("<" + element + ">([^<]*)</" + element + ">").matcher(xml);
        List<String> values = new ArrayList<>();
        while (m.find()) {
            values.add(m.group(1).trim());
        }
        return values;
    }

    /** The module's own artifactId: the first one after its parent element. */
    private static String ownArtifactId(Path pom) throws IOException {
        String text = Files.readString(pom);
        String afterParent = text.substring(text.indexOf("</parent>"));
        List<String> ids = values(afterParent, "artifactId");
        assertThat(ids).as(pom.toString()).isNotEmpty();
        return ids.get(0);
    }
}
