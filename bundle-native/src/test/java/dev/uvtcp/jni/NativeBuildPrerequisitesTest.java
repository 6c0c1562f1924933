package dev.uvtcp.jni;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The native build checks its prerequisites before it does anything, and names everything
 * missing in one message (a new user sees what to install at once, not one tool per attempt).
 */
class NativeBuildPrerequisitesTest {

    @TempDir
    Path dir;

    @Test
    void missingToolsAreAllNamedInOneMessageBeforeAnythingIsBuilt() throws Exception {
        Path out = dir.resolve("out");
        Path work = dir.resolve("work");
        Path cache = dir.resolve("cache");
        Path noJdk = Files.createDirectories(dir.resolve("not-a-jdk-include"));
        ProcessBuilder build = new ProcessBuilder("bash", "src/main/native/build.sh",
                "--out=" + out, "--jdk-include=" + noJdk, "--libuv-version=1.44.2",
                "--libuv-sha256=0", "--cache=" + cache, "--work=" + work);
        build.environment().put("CC", "uvtcp-no-such-cc");
        build.environment().put("AR", "uvtcp-no-such-ar");
        Process process = build.start();
        try {
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String stderr = new String(process.getErrorStream().readAllBytes(), UTF_8);
            String stdout = new String(process.getInputStream().readAllBytes(), UTF_8);
            assertThat(process.exitValue()).isNotZero();
            assertThat(stderr).startsWith("uvtcp native build: ERROR: cannot build the native "
                    + "library; missing:")
                    .contains("a C compiler: 'uvtcp-no-such-cc' (install gcc")
                    .contains("'uvtcp-no-such-ar', to archive libuv (install binutils")
                    .contains("the JDK's JNI headers");
            assertThat(stdout).as("nothing was started").isEmpty();
            assertThat(out).doesNotExist();
            assertThat(work).doesNotExist();
            assertThat(cache).doesNotExist();
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void withoutAptTheCrossBuildSaysHowToGetACrossCompiler() throws Exception {
        // A PATH with what the build needs but apt-get and dpkg-deb, and an empty cache: the
        // aarch64 cross compiler can be neither found nor fetched.
        Path bin = toolsOnly(dir.resolve("bin"), "bash", "gcc", "cc", "ar", "readelf", "tar",
                "gzip", "sha256sum", "flock", "find", "sort", "patch", "git", "uname", "dirname",
                "cut", "sed");
        Path out = dir.resolve("out");
        Path cache = dir.resolve("cache");
        ProcessBuilder build = new ProcessBuilder(bin.resolve("bash").toString(),
                "src/main/native/build.sh", "--target=linux-aarch64", "--out=" + out,
                "--jdk-include=" + Path.of(System.getProperty("java.home"), "include"),
                "--libuv-version=1.44.2", "--libuv-sha256=0", "--cache=" + cache,
                "--work=" + dir.resolve("work"));
        build.environment().put("PATH", bin.toString());
        build.environment().remove("UVTCP_CROSS_CC");
        build.environment().remove("UVTCP_LIBUV_SRC");
        Process process = build.start();
        try {
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String stderr = new String(process.getErrorStream().readAllBytes(), UTF_8);
            assertThat(process.exitValue()).isNotZero();
            assertThat(stderr).startsWith("uvtcp native build: ERROR: cannot build the native "
                    + "library; missing:")
                    .contains("apt-get and dpkg-deb, to fetch Debian's aarch64-linux-gnu cross "
                            + "compiler for the linux-aarch64 library")
                    .contains("UVTCP_CROSS_CC");
            assertThat(out).doesNotExist();
            assertThat(cache).doesNotExist();
        } finally {
            process.destroyForcibly();
        }
    }

    /**
     * A folder of links to the named tools of this machine's PATH, to be the whole PATH of a
     * script: what it must do without (apt-get, a compiler) is simply not there.
     */
    static Path toolsOnly(Path bin, String... tools) throws java.io.IOException {
        Files.createDirectories(bin);
        for (String tool : tools) {
            for (String d : System.getenv("PATH").split(":")) {
                Path candidate = Path.of(d, tool);
                if (Files.isExecutable(candidate)) {
                    Files.createSymbolicLink(bin.resolve(tool), candidate);
                    break;
                }
            }
        }
        return bin;
    }
}
