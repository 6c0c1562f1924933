package dev.uvtcp.jni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;

/** Checks the built artefacts in target/classes: the shared library and bnd's manifest. */
class PackagingTest {

    private static Path classesDir() throws URISyntaxException {
        return Path.of(UvNative.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static Path library() throws URISyntaxException {
        return classesDir().resolve("META-INF/native/linux-x86_64/libuvtcp.so");
    }

    /** Runs a command; null if the tool is not installed. */
    private static String run(String... command) throws IOException, InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException notInstalled) {
            return null;
        }
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(String.join(" ", command) + ":\n" + out).isZero();
        return out;
    }

    @Test
    void libraryExportsOnlyTheJniEntryPoints() throws Exception {
        assumeTrue(Files.isRegularFile(library()), "linux-x86_64 library not built here");
        String out = run("nm", "-D", "--defined-only", library().toString());
        assumeTrue(out != null, "nm not installed");
        List<String> symbols = new ArrayList<>();
        for (String line : out.split("\n")) {
            String[] fields = line.trim().split("\\s+");
            if (!line.isBlank()) {
                symbols.add(fields[fields.length - 1]);
            }
        }
        assertThat(symbols).containsExactlyInAnyOrder("JNI_OnLoad", "JNI_OnUnload");
    }

    @Test
    void libraryDoesNotDependOnASharedLibuv() throws Exception {
        assumeTrue(Files.isRegularFile(library()), "linux-x86_64 library not built here");
        String out = run("ldd", library().toString());
        assumeTrue(out != null, "ldd not installed");
        assertThat(out).doesNotContainIgnoringCase("libuv");
    }

    @Test
    void libuvsLicencesTravelWithTheLibraryAndTheManifestNamesThem() throws Exception {
        Path manifestFile = classesDir().resolve("META-INF/MANIFEST.MF");
        assumeTrue(Files.isRegularFile(manifestFile), "bnd has not generated the manifest");
        // Written by build.sh from the libuv source it compiled, put here by bnd.
        String libuv = Files.readString(classesDir().resolve("META-INF/LICENSE-libuv"));
        assertThat(libuv).startsWith("libuv is licensed for use as follows:")
                .contains("Permission is hereby granted, free of charge")
                .contains("==== include/uv/tree.h").contains("Niels Provos")
                .contains("==== src/inet.c").contains("Internet Systems Consortium");
        Manifest manifest;
        try (InputStream in = Files.newInputStream(manifestFile)) {
            manifest = new Manifest(in);
        }
        String licence = manifest.getMainAttributes().getValue("Bundle-License");
        assertThat(licence).startsWith("Apache-2.0;").contains(",MIT;", ",ISC;", ",BSD-2-Clause;")
                .contains("META-INF/LICENSE-libuv");
        assertThat(classesDir().resolve("META-INF/LICENSE")).isRegularFile();
        assertThat(classesDir().resolve("META-INF/NOTICE")).isRegularFile();
    }

    @Test
    void everyNativeCodeClauseNamesAFileInTheBundle() throws Exception {
        Path manifestFile = classesDir().resolve("META-INF/MANIFEST.MF");
        assumeTrue(Files.isRegularFile(manifestFile), "bnd has not generated the manifest");
        Manifest manifest;
        try (InputStream in = Files.newInputStream(manifestFile)) {
            manifest = new Manifest(in);
        }
        Attributes main = manifest.getMainAttributes();
        assertThat(main.getValue("Bundle-SymbolicName")).isEqualTo("dev.uvtcp.jni");
        assertThat(main.getValue("Export-Package"))
                .contains("dev.uvtcp.jni")
                .contains("uvtcp.internal")
                .contains("mandatory:=");
        String nativeCode = main.getValue("Bundle-NativeCode");
        assertThat(nativeCode).isNotBlank();
        List<String> paths = new ArrayList<>();
        for (String clause : nativeCode.split(",")) {
            for (String part : clause.split(";")) {
                String p = part.trim();
                if (!p.isEmpty() && !p.contains("=") && !p.equals("*")) {
                    paths.add(p);
                }
            }
        }
        assertThat(paths).isNotEmpty();
        for (String p : paths) {
            assertThat(classesDir().resolve(p)).as("Bundle-NativeCode path " + p).isRegularFile();
        }
    }
}
