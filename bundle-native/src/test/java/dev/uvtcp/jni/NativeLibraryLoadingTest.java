package dev.uvtcp.jni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each case needs a fresh JVM: a library is loaded once per JVM. */
class NativeLibraryLoadingTest {

    private static String runChild(String... properties) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.addAll(List.of(properties));
        command.add(PrintVersion.class.getName());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(out).isZero();
        return out.trim();
    }

    @Test
    void libraryNamedBySystemPropertyIsLoaded(@TempDir Path dir) throws Exception {
        // This platform's library, from target/classes or from the jar (the arm64 run).
        Path library = dir.resolve("given-libuvtcp.so");
        try (InputStream in = NativeLibrary.class.getResourceAsStream(
                NativeLibrary.resourceFor(NativeLibrary.platform()))) {
            assumeTrue(in != null, NativeLibrary.platform() + " library not built here");
            Files.copy(in, library);
        }
        assertThat(runChild("-D" + NativeLibrary.PATH_PROPERTY + "=" + library))
                .isEqualTo("version=1.44.2");
    }

    @Test
    void missingLibraryFileGivesUnsatisfiedLinkError() throws Exception {
        String missing = System.getProperty("java.io.tmpdir") + File.separator + "no-such-uvtcp.so";
        assertThat(runChild("-D" + NativeLibrary.PATH_PROPERTY + "=" + missing))
                .startsWith("error=").contains("no-such-uvtcp.so");
    }

    @Test
    void unsupportedPlatformIsNamedWithThePlatformsTheJarCarries() throws Exception {
        assertThat(runChild("-Dos.arch=sparcv9"))
                .startsWith("error=")
                .contains("linux-sparcv9")
                .contains("os.arch=sparcv9")
                .contains("this jar carries libraries for: linux-x86_64, linux-aarch64.");
    }
}
