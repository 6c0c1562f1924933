package dev.uvtcp.jni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

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
    void libraryNamedBySystemPropertyIsLoaded() throws Exception {
        Path library = Path.of(UvNative.class.getProtectionDomain().getCodeSource().getLocation()
                .toURI()).resolve("META-INF/native/linux-x86_64/libuvtcp.so");
        assumeTrue(Files.isRegularFile(library), "linux-x86_64 library not built here");
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
    void unsupportedPlatformIsNamedWithTheSupportedOnes() throws Exception {
        assertThat(runChild("-Dos.arch=sparcv9"))
                .startsWith("error=")
                .contains("sparcv9")
                .contains("supported: linux-x86_64");
    }
}
