package dev.uvtcp.consumer;

import static dev.uvtcp.consumer.StagingRepository.child;
import static dev.uvtcp.consumer.StagingRepository.children;
import static dev.uvtcp.consumer.StagingRepository.text;
import static dev.uvtcp.consumer.StagingRepository.textAt;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/**
 * What the build deployed into its staging file repository is what a public repository
 * requires and what a library user expects: every published module and nothing else, each jar
 * with its sources and Javadoc jars and checksums, POMs with name, description, URL, licence,
 * developers and SCM, a BOM that lists every published artifact, a stable Java module name
 * for every jar, and the licences in the jars (libuv's in the native one).
 */
class StagedArtifactsIT {

    private static final Path ROOT = Path.of(System.getProperty("uvtcp.root"));

    /** The module names a module-path user writes in requires clauses. */
    private static final Map<String, String> MODULE_NAMES = Map.of(
            "uvtcp-api", "dev.uvtcp",
            "uvtcp-native", "dev.uvtcp.jni",
            "uvtcp-service", "dev.uvtcp.service",
            "uvtcp-shell", "dev.uvtcp.shell",
            "uvtcp-cdi", "dev.uvtcp.cdi",
            "uvtcp-launcher", "dev.uvtcp.launcher");

    private static StagingRepository staging;

    /** A module of the reactor as its pom.xml declares it. */
    record Module(String directory, String artifactId, String packaging, boolean published) {
    }

    @BeforeAll
    static void stagingRepository() {
        staging = StagingRepository.ofThisBuild();
    }

    /** The modules of the root pom (not those of profiles, such as the bench). */
    static List<Module> reactorModules() throws Exception {
        Element root = StagingRepository.xml(ROOT.resolve("pom.xml")).getDocumentElement();
        List<Module> modules = new ArrayList<>();
        for (Element m : children(child(root, "modules").orElseThrow(), "module")) {
            String dir = m.getTextContent().trim();
            Element pom = StagingRepository.xml(ROOT.resolve(dir).resolve("pom.xml"))
                    .getDocumentElement();
            boolean skipped = textAt(pom, "properties", "maven.deploy.skip")
                    .map(Boolean::parseBoolean).orElse(false);
            modules.add(new Module(dir, text(pom, "artifactId").orElseThrow(),
                    text(pom, "packaging").orElse("jar"), !skipped));
        }
        return modules;
    }

    static List<Module> publishedModules() throws Exception {
        return reactorModules().stream().filter(Module::published).toList();
    }

    @Test
    void everyPublishedModuleAndNothingElseIsStaged() throws Exception {
        List<String> expected = new ArrayList<>();
        expected.add("uvtcp-parent");
        publishedModules().forEach(m -> expected.add(m.artifactId()));
        assertThat(expected).contains("uvtcp-api", "uvtcp-native", "uvtcp-service", "uvtcp-bom");
        assertThat(staging.artifactIds()).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void everyJarIsStagedWithItsPomSourcesJavadocAndChecksums() throws Exception {
        for (Module module : publishedModules()) {
            List<StagingRepository.File> files = staging.files(module.artifactId());
            List<String> kinds = files.stream()
                    .map(f -> (f.classifier().isEmpty() ? "" : f.classifier() + ".")
                            + f.extension()).toList();
            if (module.packaging().equals("jar")) {
                assertThat(kinds).as(module.artifactId())
                        .containsExactlyInAnyOrder("pom", "jar", "sources.jar", "javadoc.jar");
            } else {
                assertThat(kinds).as(module.artifactId()).contains("pom")
                        .doesNotContain("jar", "sources.jar", "javadoc.jar");
            }
            for (StagingRepository.File file : files) {
                assertThat(file.path()).as(file.toString()).isRegularFile();
                Path sha1 = Path.of(file.path() + ".sha1");
                assertThat(sha1).as(file + ".sha1").isRegularFile();
                assertThat(Files.readString(sha1).trim()).as(file + ".sha1")
                        .isEqualTo(digest("SHA-1", file.path()));
                assertThat(Path.of(file.path() + ".md5")).as(file + ".md5").isRegularFile();
            }
            if (module.packaging().equals("jar")) {
                assertThat(entries(staging.file(module.artifactId(), "sources", "jar")))
                        .as(module.artifactId() + " sources").anyMatch(e -> e.endsWith(".java"));
                assertThat(entries(staging.file(module.artifactId(), "javadoc", "jar")))
                        .as(module.artifactId() + " javadoc").contains("index.html");
            }
        }
    }

    @Test
    void everyStagedPomHasWhatAPublicRepositoryRequires() throws Exception {
        Element parent = staging.pom("uvtcp-parent").getDocumentElement();
        Pattern history = Pattern.compile("(?i)\\bissue\\s*\\d");
        for (String artifactId : staging.artifactIds()) {
            Path pomFile = staging.file(artifactId, "", "pom");
            Element pom = StagingRepository.xml(pomFile).getDocumentElement();
            Optional<Element> parentRef = child(pom, "parent");
            if (parentRef.isPresent()) {
                assertThat(text(parentRef.get(), "artifactId")).as(artifactId + " parent")
                        .contains("uvtcp-parent");
                assertThat(text(parentRef.get(), "version")).as(artifactId + " parent version")
                        .contains(staging.version);
            }
            // What a module does not say itself it inherits from the staged parent (name
            // is not inherited by Maven: every module must have its own).
            Element inheritsFrom = parentRef.isPresent() ? parent : pom;
            assertThat(text(pom, "name")).as(artifactId + " name").isPresent();
            assertThat(text(pom, "description")).as(artifactId + " description").isPresent();
            for (String[] path : List.of(new String[] {"url"},
                    new String[] {"licenses", "license", "name"},
                    new String[] {"licenses", "license", "url"},
                    new String[] {"developers", "developer", "name"},
                    new String[] {"scm", "connection"},
                    new String[] {"scm", "developerConnection"},
                    new String[] {"scm", "url"})) {
                Optional<String> value = textAt(pom, path).or(() -> textAt(inheritsFrom, path));
                assertThat(value).as(artifactId + " " + String.join("/", path)).isPresent();
            }
            assertThat(textAt(inheritsFrom, "licenses", "license", "name")).as(artifactId)
                    .contains("Apache-2.0");
            assertThat(Files.readString(pomFile)).as(artifactId + ": no project history")
                    .doesNotContainPattern(history);
        }
    }

    @Test
    void theBomListsEveryPublishedArtifactAtTheBuildsVersion() throws Exception {
        Element bom = staging.pom("uvtcp-bom").getDocumentElement();
        Element parent = staging.pom("uvtcp-parent").getDocumentElement();
        // No parent: importing it brings uvtcp's versions and nothing else.
        assertThat(child(bom, "parent")).isEmpty();
        assertThat(text(bom, "version")).contains(staging.version);
        // Its copy of the published metadata agrees with the parent's.
        for (String[] path : List.of(new String[] {"url"},
                new String[] {"licenses", "license", "name"},
                new String[] {"licenses", "license", "url"},
                new String[] {"developers", "developer", "name"},
                new String[] {"scm", "connection"},
                new String[] {"scm", "developerConnection"},
                new String[] {"scm", "url"})) {
            assertThat(textAt(bom, path)).as("uvtcp-bom " + String.join("/", path))
                    .isEqualTo(textAt(parent, path));
        }

        Map<String, Element> managed = new LinkedHashMap<>();
        for (Element d : children(child(child(bom, "dependencyManagement").orElseThrow(),
                "dependencies").orElseThrow(), "dependency")) {
            assertThat(text(d, "groupId")).contains(StagingRepository.GROUP);
            assertThat(text(d, "version")).as(d.getTextContent())
                    .contains("${project.version}");
            assertThat(text(d, "scope")).as(d.getTextContent()).isEmpty();
            managed.put(text(d, "artifactId").orElseThrow(), d);
        }
        List<String> expected = new ArrayList<>(staging.artifactIds());
        expected.removeAll(List.of("uvtcp-parent", "uvtcp-bom"));
        assertThat(managed.keySet()).containsExactlyInAnyOrderElementsOf(expected);
        // Each entry names a file that was deployed (the type is the file's extension here).
        for (Element d : managed.values()) {
            String artifactId = text(d, "artifactId").orElseThrow();
            staging.file(artifactId, text(d, "classifier").orElse(""),
                    text(d, "type").orElse("jar"));
        }
    }

    @Test
    void everyJarHasAStableModuleNameAndOurLicence() throws Exception {
        byte[] license = Files.readAllBytes(ROOT.resolve("LICENSE"));
        byte[] notice = Files.readAllBytes(ROOT.resolve("NOTICE"));
        List<String> named = new ArrayList<>();
        for (Module module : publishedModules()) {
            if (!module.packaging().equals("jar")) {
                continue;
            }
            Path jar = staging.file(module.artifactId(), "", "jar");
            Attributes main = manifest(jar);
            String name = main.getValue("Automatic-Module-Name");
            assertThat(name).as(module.artifactId() + " Automatic-Module-Name").isNotBlank();
            // The name the JDK itself gives the jar on the module path.
            Set<ModuleReference> found = ModuleFinder.of(jar).findAll();
            assertThat(found).as(module.artifactId()).hasSize(1);
            ModuleDescriptor descriptor = found.iterator().next().descriptor();
            assertThat(descriptor.isAutomatic()).isTrue();
            assertThat(descriptor.name()).as(module.artifactId()).isEqualTo(name);
            if (MODULE_NAMES.containsKey(module.artifactId())) {
                assertThat(name).isEqualTo(MODULE_NAMES.get(module.artifactId()));
                named.add(module.artifactId());
            }
            String bsn = main.getValue("Bundle-SymbolicName");
            if (bsn == null) {
                // The launcher: an application jar, not a bundle. It shades the Felix
                // framework, whose LICENSE and NOTICE it carries.
                continue;
            }
            assertThat(name).as(module.artifactId() + ": module name = symbolic name")
                    .isEqualTo(bsn.split(";")[0].trim());
            assertThat(licenceNames(main.getValue("Bundle-License")))
                    .as(module.artifactId() + " Bundle-License").startsWith("Apache-2.0");
            assertThat(read(jar, "META-INF/LICENSE")).as(module.artifactId() + " LICENSE")
                    .isEqualTo(license);
            assertThat(read(jar, "META-INF/NOTICE")).as(module.artifactId() + " NOTICE")
                    .isEqualTo(notice);
        }
        assertThat(named).containsExactlyInAnyOrderElementsOf(MODULE_NAMES.keySet());
    }

    @Test
    void theNativeJarCarriesAndNamesLibuvsLicences() throws Exception {
        Path jar = staging.file("uvtcp-native", "", "jar");
        assertThat(licenceNames(manifest(jar).getValue("Bundle-License")))
                .containsExactly("Apache-2.0", "MIT", "ISC", "BSD-2-Clause");
        String libuv = new String(read(jar, "META-INF/LICENSE-libuv"), UTF_8);
        // libuv's LICENSE (MIT), then the notices of the two files it names under other
        // licences that are compiled in.
        assertThat(libuv).startsWith("libuv is licensed for use as follows:")
                .contains("Copyright (c) 2015-present libuv project contributors.")
                .contains("Permission is hereby granted, free of charge")
                .contains("==== include/uv/tree.h").contains("Copyright 2002 Niels Provos")
                .contains("Redistributions in binary form must reproduce")
                .contains("==== src/inet.c")
                .contains("Copyright (c) 2004 by Internet Systems Consortium, Inc. (\"ISC\")");
        assertThat(new String(read(jar, "META-INF/NOTICE"), UTF_8))
                .contains("META-INF/LICENSE-libuv");
    }

    // ---- helpers ----

    /** The names of a Bundle-License header's clauses, in order. */
    static List<String> licenceNames(String header) {
        assertThat(header).as("Bundle-License").isNotBlank();
        List<String> names = new ArrayList<>();
        boolean quoted = false;
        StringBuilder clause = new StringBuilder();
        for (char c : (header + ",").toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == ',' && !quoted) {
                names.add(clause.toString().split(";")[0].trim());
                clause.setLength(0);
            } else {
                clause.append(c);
            }
        }
        return names;
    }

    static Attributes manifest(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.getManifest().getMainAttributes();
        }
    }

    static byte[] read(Path jar, String entry) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            JarEntry e = file.getJarEntry(entry);
            assertThat(e).as(jar.getFileName() + " has " + entry).isNotNull();
            try (InputStream in = file.getInputStream(e)) {
                return in.readAllBytes();
            }
        }
    }

    static List<String> entries(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.stream().map(JarEntry::getName).collect(Collectors.toList());
        }
    }

    static String digest(String algorithm, Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm)
                .digest(Files.readAllBytes(file)));
    }
}
