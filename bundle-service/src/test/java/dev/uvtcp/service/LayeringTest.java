package dev.uvtcp.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layers, drawn again from the code on every build: which Java package of the bundles uses
 * which (imports and qualified names in {@code src/main/java}, comments and strings left out),
 * and which C file of the JNI glue calls functions of which. Fails on a cycle, on a use the
 * layer picture does not allow (a layer reaching past its neighbour, the core using a container
 * API), and when the picture in the README's architecture section is not the one drawn here:
 * it prints the picture to paste then (also written to {@code target/layers.txt}).
 */
class LayeringTest {

    /** The modules whose main sources make up the layers. */
    private static final List<String> MODULES = List.of("bundle-api", "bundle-native",
            "bundle-service", "bundle-shell");

    /**
     * Stands for the OSGi container API (framework, DS, DTOs). The OSGi <em>annotations</em>
     * ({@code org.osgi.annotation}) are not counted: bnd reads them at build time and they are
     * not retained at run time.
     */
    private static final String OSGI = "org.osgi";

    /**
     * Every package and what it may use, top layer first: the picture. A new package must be
     * placed here before it can be used.
     */
    private static final Map<String, Set<String>> ALLOWED = allowed();

    private static Map<String, Set<String>> allowed() {
        Map<String, Set<String>> allowed = new LinkedHashMap<>();
        allowed.put("dev.uvtcp.shell", Set.of("dev.uvtcp", "dev.uvtcp.runtime", OSGI));
        allowed.put("dev.uvtcp.service.osgi", Set.of("dev.uvtcp", "dev.uvtcp.runtime",
                "dev.uvtcp.service", "dev.uvtcp.service.whiteboard", OSGI));
        allowed.put("dev.uvtcp.service.whiteboard", Set.of("dev.uvtcp", "dev.uvtcp.runtime",
                "dev.uvtcp.service"));
        allowed.put("dev.uvtcp.service", Set.of("dev.uvtcp", "dev.uvtcp.runtime",
                "dev.uvtcp.jni"));
        allowed.put("dev.uvtcp.jni", Set.of());
        allowed.put("dev.uvtcp.runtime", Set.of("dev.uvtcp", OSGI));
        allowed.put("dev.uvtcp", Set.of());
        return allowed;
    }

    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);",
            Pattern.MULTILINE);
    /** A qualified type name (an import, or a name written out in code): its package part. */
    private static final Pattern QUALIFIED = Pattern.compile(
            "\\b((?:dev\\.uvtcp|org\\.osgi)(?:\\.[a-z]\\w*)*)\\.[A-Z]");
    /** A C function or variable defined (not static) at file level. */
    private static final Pattern C_DEFINITION = Pattern.compile("^(?!static|extern|typedef)"
            + "[A-Za-z][\\w \\*]*?\\b(\\w+)\\s*(?:\\([^;{]*\\)\\s*\\{|(?:=[^;]*)?;)",
            Pattern.MULTILINE);

    private static Path root;
    private static Map<String, Set<String>> javaGraph;
    private static Map<String, Set<String>> cGraph;

    @BeforeAll
    static void drawGraphs() throws IOException {
        root = repositoryRoot();
        javaGraph = javaPackageGraph();
        cGraph = cFileGraph();
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "layers.txt"), picture());
    }

    @Test
    void javaPackagesUseOnlyTheLayersBelowThemAndFormNoCycle() {
        assertThat(javaGraph.keySet()).as("packages found in %s", MODULES)
                .containsExactlyInAnyOrderElementsOf(ALLOWED.keySet());
        List<String> notAllowed = new ArrayList<>();
        javaGraph.forEach((from, uses) -> uses.stream()
                .filter(to -> !ALLOWED.get(from).contains(to))
                .forEach(to -> notAllowed.add(from + " -> " + to)));
        assertThat(notAllowed).as("uses outside the layer picture").isEmpty();
        assertThat(cycle(javaGraph)).as("a cycle of packages").isEmpty();
    }

    @Test
    void theServiceCoreUsesNoContainerApi() {
        assertThat(javaGraph.get("dev.uvtcp.service")).doesNotContain(OSGI,
                "dev.uvtcp.service.osgi", "dev.uvtcp.service.whiteboard");
        assertThat(javaGraph.get("dev.uvtcp.service.whiteboard")).doesNotContain(OSGI,
                "dev.uvtcp.service.osgi");
    }

    @Test
    void cFilesDependOneWayFromTheRootToTheHelpers() {
        assertThat(cGraph).containsKeys("uvtcp_jni.c", "uvtcp_upcall.c");
        assertThat(cycle(cGraph)).as("a cycle of C files").isEmpty();
        List<String> usersOfRoot = cGraph.entrySet().stream()
                .filter(e -> e.getValue().contains("uvtcp_jni.c")).map(Map.Entry::getKey)
                .collect(Collectors.toList());
        assertThat(usersOfRoot).as("files that use the root (JNI_OnLoad's file)").isEmpty();
        assertThat(cGraph.get("uvtcp_upcall.c")).as("what the shared helpers use").isEmpty();
        assertThat(cGraph.get("uvtcp_jni.c")).as("the root registers every concept file")
                .containsAll(cGraph.keySet().stream().filter(f -> !f.equals("uvtcp_jni.c"))
                        .collect(Collectors.toList()));
    }

    @Test
    void theReadmeShowsTheLayersAsDrawnFromTheCode() throws IOException {
        String readme = Files.readString(root.resolve("README.md"));
        String picture = picture();
        assertThat(readme.contains(picture))
                .as("README.md's architecture section should contain (as in "
                        + "target/layers.txt):%n%s", picture)
                .isTrue();
    }

    /** The text block the README carries: each package and C file with what it uses. */
    private static String picture() {
        StringBuilder text = new StringBuilder();
        text.append("Java packages (bundle-api, bundle-native, bundle-service, bundle-shell),")
                .append(" each with what it uses:\n\n");
        int width = ALLOWED.keySet().stream().mapToInt(String::length).max().orElse(0);
        for (String from : ALLOWED.keySet()) {
            text.append(line(from, width, javaGraph.getOrDefault(from, Set.of()),
                    "(only the JDK)"));
        }
        text.append("\nC files of the JNI glue (bundle-native/src/main/c), each with the files")
                .append(" whose functions it calls:\n\n");
        int cWidth = cGraph.keySet().stream().mapToInt(String::length).max().orElse(0);
        List<String> files = new ArrayList<>(cGraph.keySet());
        // Users first: by how many files a file reaches, then by name.
        files.sort((a, b) -> reach(cGraph, b) != reach(cGraph, a)
                ? reach(cGraph, b) - reach(cGraph, a) : a.compareTo(b));
        for (String file : files) {
            text.append(line(file, cWidth, cGraph.get(file), "(only libuv and libc)"));
        }
        return text.toString();
    }

    /** One node and what it uses, wrapped at 100 columns under the first used name. */
    private static String line(String from, int width, Set<String> uses, String none) {
        String head = "    " + from + " ".repeat(width - from.length()) + " -> ";
        if (uses.isEmpty()) {
            return head + none + "\n";
        }
        StringBuilder text = new StringBuilder(head);
        int column = head.length();
        int left = uses.size();
        for (String used : uses) {
            String item = used + (--left > 0 ? "," : "");
            if (column > head.length() && column + 1 + item.length() > 100) {
                text.append("\n").append(" ".repeat(head.length()));
                column = head.length();
            } else if (column > head.length()) {
                text.append(' ');
                column++;
            }
            text.append(item);
            column += item.length();
        }
        return text.append("\n").toString();
    }

    private static int reach(Map<String, Set<String>> graph, String from) {
        Set<String> seen = new TreeSet<>();
        List<String> todo = new ArrayList<>(graph.get(from));
        while (!todo.isEmpty()) {
            String next = todo.remove(todo.size() - 1);
            if (seen.add(next)) {
                todo.addAll(graph.getOrDefault(next, Set.of()));
            }
        }
        return seen.size();
    }

    private static Path repositoryRoot() {
        // The tests also run from native-emulated-test: look upwards for the modules.
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("bundle-native/src/main/c"))
                    && Files.isRegularFile(dir.resolve("README.md"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no repository root above "
                + Path.of("").toAbsolutePath());
    }

    private static Map<String, Set<String>> javaPackageGraph() throws IOException {
        Map<String, Set<String>> graph = new TreeMap<>();
        for (String module : MODULES) {
            try (Stream<Path> files = Files.walk(root.resolve(module).resolve("src/main/java"))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java"))
                        .collect(Collectors.toList())) {
                    String code = withoutCommentsAndStrings(Files.readString(file));
                    Matcher pkg = PACKAGE.matcher(code);
                    assertThat(pkg.find()).as("package of %s", file).isTrue();
                    Set<String> uses = graph.computeIfAbsent(pkg.group(1), p -> new TreeSet<>());
                    Matcher ref = QUALIFIED.matcher(code);
                    while (ref.find()) {
                        String used = ref.group(1);
                        if (used.startsWith("org.osgi.annotation")) {
                            continue;
                        }
                        used = used.startsWith(OSGI) ? OSGI : used;
                        if (!used.equals(pkg.group(1))) {
                            uses.add(used);
                        }
                    }
                }
            }
        }
        return graph;
    }

    private static Map<String, Set<String>> cFileGraph() throws IOException {
        Map<String, String> code = new TreeMap<>();
        try (Stream<Path> files = Files.list(root.resolve("bundle-native/src/main/c"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".c"))
                    .collect(Collectors.toList())) {
                code.put(file.getFileName().toString(),
                        withoutCommentsAndStrings(Files.readString(file)));
            }
        }
        Map<String, String> definedIn = new TreeMap<>();
        code.forEach((file, text) -> {
            Matcher definition = C_DEFINITION.matcher(text);
            while (definition.find()) {
                definedIn.putIfAbsent(definition.group(1), file);
            }
        });
        Map<String, Set<String>> graph = new TreeMap<>();
        code.forEach((file, text) -> {
            Set<String> uses = new TreeSet<>();
            definedIn.forEach((name, owner) -> {
                if (!owner.equals(file)
                        && Pattern.compile("\\b" + name + "\\b").matcher(text).find()) {
                    uses.add(owner);
                }
            });
            graph.put(file, uses);
        });
        return graph;
    }

    /** Java or C source without comments and string literals (names in them are no use). */
    private static String withoutCommentsAndStrings(String source) {
        return source.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\n]*", " ")
                .replaceAll("\"(?:\\\\.|[^\"\\\\\n])*\"", "\"\"");
    }

    /** @return the nodes of one cycle, or an empty list if there is none */
    private static List<String> cycle(Map<String, Set<String>> graph) {
        Map<String, Integer> state = new TreeMap<>(); // 1 on the path, 2 done
        List<String> path = new ArrayList<>();
        for (String start : graph.keySet()) {
            List<String> found = cycleFrom(start, graph, state, path);
            if (!found.isEmpty()) {
                return found;
            }
        }
        return List.of();
    }

    private static List<String> cycleFrom(String node, Map<String, Set<String>> graph,
            Map<String, Integer> state, List<String> path) {
        Integer seen = state.get(node);
        if (seen != null) {
            return seen == 1 ? new ArrayList<>(path.subList(path.indexOf(node), path.size()))
                    : List.of();
        }
        state.put(node, 1);
        path.add(node);
        for (String next : graph.getOrDefault(node, Set.of())) {
            List<String> found = cycleFrom(next, graph, state, path);
            if (!found.isEmpty()) {
                return found;
            }
        }
        path.remove(path.size() - 1);
        state.put(node, 2);
        return List.of();
    }
}
