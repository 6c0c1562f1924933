package dev.uvtcp.launcher.console;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;

/**
 * Each kind of file a person may drop into deploy/ gets a sentence: what bundle it became, or
 * why FileInstall left it alone.
 */
class DeployedFileTest {

    @TempDir
    Path deploy;

    private static final DeployedFile.Installed NOTHING = new DeployedFile.Installed() {
        @Override
        public DeployedFile.BundleView byLocation(String location) {
            return null;
        }

        @Override
        public DeployedFile.BundleView byNameAndVersion(String name, String version) {
            return null;
        }
    };

    @Test
    void configurationsAreLeftToFileInstall() throws IOException {
        Path cfg = Files.writeString(deploy.resolve("dev.uvtcp.cfg"), "loops = 2\n");
        assertThat(DeployedFile.status(cfg, NOTHING)).isNull();
    }

    @Test
    void aCorruptJarATextFileAndAPlainJarAreEachExplained() throws IOException {
        Path corrupt = Files.write(deploy.resolve("corrupt.jar"), new byte[] {1, 2, 3, 4, 5});
        assertThat(DeployedFile.status(corrupt, NOTHING))
                .startsWith("not a valid jar (").endsWith("): FileInstall ignores it");

        Path text = Files.writeString(deploy.resolve("notes.txt"), "remember the milk\n");
        assertThat(DeployedFile.status(text, NOTHING)).isEqualTo("neither a bundle (.jar) nor"
                + " a configuration (.cfg, .config): FileInstall ignores it");

        Path plain = jar("plain.jar", manifest("Main-Class", "x.Main"));
        assertThat(DeployedFile.status(plain, NOTHING)).isEqualTo("a plain jar, not an OSGi"
                + " bundle (its manifest has no Bundle-SymbolicName): FileInstall ignores it");

        Path noManifest = deploy.resolve("bare.jar");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(noManifest))) {
            zip.putNextEntry(new ZipEntry("a.txt"));
            zip.write("a".getBytes(UTF_8));
        }
        assertThat(DeployedFile.status(noManifest, NOTHING))
                .startsWith("a jar without META-INF/MANIFEST.MF");

        Path noVersion = jar("noversion.jar", manifest("Bundle-SymbolicName", "x.y"));
        assertThat(DeployedFile.status(noVersion, NOTHING))
                .isEqualTo("its manifest has no Bundle-Version: FileInstall ignores it");
    }

    @Test
    void anInstalledBundleIsNamedWithItsStateAndWhatItMisses() throws IOException {
        Path jar = jar("broken.jar", manifest("Bundle-SymbolicName", "x.broken",
                "Bundle-Version", "1.0.0"));
        String location = jar.toFile().toURI().normalize().toString();
        DeployedFile.BundleView unresolved = new DeployedFile.BundleView(17, "x.broken",
                "1.0.0", location, Bundle.INSTALLED, false,
                List.of(DeployFolderReport.describe("osgi.wiring.package",
                        "(osgi.wiring.package=com.example.missing)")));
        assertThat(DeployedFile.status(jar, at(location, unresolved))).isEqualTo("bundle 17"
                + " x.broken 1.0.0 is installed but cannot resolve: it imports the package"
                + " com.example.missing, which no installed bundle exports");

        DeployedFile.BundleView active = new DeployedFile.BundleView(17, "x.broken", "1.0.0",
                location, Bundle.ACTIVE, false, List.of());
        assertThat(DeployedFile.status(jar, at(location, active)))
                .isEqualTo("bundle 17 x.broken 1.0.0 is active");
    }

    @Test
    void aCopyOfAnInstalledBundleNamesTheOneFileInstallUpdatesInstead() throws IOException {
        Path jar = jar("echo-copy.jar", manifest("Bundle-SymbolicName", "x.echo;singleton:=true",
                "Bundle-Version", "0.1.0.SNAPSHOT"));
        DeployedFile.BundleView launcherOwn = new DeployedFile.BundleView(15, "x.echo",
                "0.1.0.SNAPSHOT", "uvtcp-launcher:echo.jar", Bundle.ACTIVE, false, List.of());
        DeployedFile.Installed installed = new DeployedFile.Installed() {
            @Override
            public DeployedFile.BundleView byLocation(String location) {
                return null;
            }

            @Override
            public DeployedFile.BundleView byNameAndVersion(String name, String version) {
                return name.equals("x.echo") && version.equals("0.1.0.SNAPSHOT")
                        ? launcherOwn : null;
            }
        };
        assertThat(DeployedFile.status(jar, installed)).isEqualTo("the same bundle (x.echo"
                + " 0.1.0.SNAPSHOT) as bundle 15 x.echo 0.1.0.SNAPSHOT, installed from"
                + " uvtcp-launcher:echo.jar: FileInstall updates that one instead; bundle 15"
                + " x.echo 0.1.0.SNAPSHOT is active");
    }

    @Test
    void aVersionedImportIsShownWithItsRange() {
        assertThat(DeployFolderReport.describe("osgi.wiring.package",
                "(&(osgi.wiring.package=com.example.missing)(version>=1.2.0))"))
                .isEqualTo("it imports the package com.example.missing"
                        + " (&(osgi.wiring.package=com.example.missing)(version>=1.2.0)), which"
                        + " no installed bundle exports");
        assertThat(DeployFolderReport.describe("osgi.ee", "(osgi.ee=JavaSE)"))
                .isEqualTo("it requires osgi.ee (osgi.ee=JavaSE), which no installed bundle"
                        + " provides");
    }

    private static DeployedFile.Installed at(String location, DeployedFile.BundleView view) {
        return new DeployedFile.Installed() {
            @Override
            public DeployedFile.BundleView byLocation(String l) {
                return l.equals(location) ? view : null;
            }

            @Override
            public DeployedFile.BundleView byNameAndVersion(String name, String version) {
                return null;
            }
        };
    }

    private Path jar(String name, Manifest manifest) throws IOException {
        Path jar = deploy.resolve(name);
        try (OutputStream file = Files.newOutputStream(jar);
                JarOutputStream out = new JarOutputStream(file, manifest)) {
            out.putNextEntry(new ZipEntry("x/A.class"));
            out.write(new byte[] {(byte) 0xCA, (byte) 0xFE});
        }
        return jar;
    }

    private static Manifest manifest(String... keysAndValues) {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        for (int i = 0; i < keysAndValues.length; i += 2) {
            manifest.getMainAttributes().putValue(keysAndValues[i], keysAndValues[i + 1]);
        }
        return manifest;
    }
}
