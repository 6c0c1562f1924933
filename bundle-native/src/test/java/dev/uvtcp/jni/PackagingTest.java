package dev.uvtcp.jni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.Manifest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Checks the built artefacts in target/classes, before they are packaged: each platform's
 * shared library and bnd's manifest. {@link PackagedJarIT} checks the same in the jar.
 */
class PackagingTest {

    private static Path classesDir() throws URISyntaxException {
        return Path.of(UvNative.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    @ParameterizedTest
    @ValueSource(strings = {"linux-x86_64", "linux-aarch64"})
    void eachLibraryIsForItsMachineExportsOnlyTheJniEntryPointsAndNeedsOnlyGlibc(String platform)
            throws Exception {
        Path library = classesDir().resolve("META-INF/native/" + platform + "/libuvtcp.so");
        assertThat(library).as("built by bundle-native's compile phase").isRegularFile();
        LibraryChecks.checkLibrary(platform, Files.readAllBytes(library));
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
        Path classes = classesDir();
        LibraryChecks.checkNativeCode(main.getValue("Bundle-NativeCode"),
                path -> Files.isRegularFile(classes.resolve(path)));
    }
}
