package dev.uvtcp.jni;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fetch-libuv.sh}, the step before the native build: a cached tarball is checked and
 * unpacked with no network and no apt at all; a cached tarball with another checksum is an
 * error, never silently replaced; with neither a cached tarball nor apt it names what to do.
 * Each run gets a PATH without apt-get, so nothing here can reach a network.
 */
class LibuvFetchTest {

    private static final String VERSION = "0.0.1";

    @TempDir
    Path dir;

    @Test
    void aCachedTarballIsCheckedAndUnpackedWithoutAptOrNetwork() throws Exception {
        Path cache = Files.createDirectories(dir.resolve("cache"));
        String sha256 = fakeRelease(cache.resolve("libuv1_" + VERSION + ".orig.tar.gz"));

        Run run = fetch(cache, sha256);

        assertThat(run.status).as(run.stderr).isZero();
        Path unpacked = cache.resolve("src-" + VERSION + "-" + sha256.substring(0, 12));
        assertThat(unpacked.resolve("CMakeLists.txt")).hasContent("project(libuv)");
        assertThat(unpacked.resolve(".complete")).exists();
        assertThat(run.stdout).contains("unpacking libuv1_" + VERSION + ".orig.tar.gz");

        Run again = fetch(cache, sha256);
        assertThat(again.status).as(again.stderr).isZero();
        assertThat(again.stdout).as("nothing to do the second time").isEmpty();
    }

    @Test
    void aCachedTarballWithAnotherChecksumIsAnErrorAndStaysAsItIs() throws Exception {
        Path cache = Files.createDirectories(dir.resolve("cache"));
        Path tarball = cache.resolve("libuv1_" + VERSION + ".orig.tar.gz");
        String real = fakeRelease(tarball);
        String pinned = "0".repeat(64);

        Run run = fetch(cache, pinned);

        assertThat(run.status).isNotZero();
        assertThat(run.stderr).contains("sha256 mismatch for cached " + tarball)
                .contains("expected " + pinned + ", got " + real);
        assertThat(tarball).exists();
        assertThat(cache.resolve("src-" + VERSION + "-" + pinned.substring(0, 12)))
                .doesNotExist();
    }

    @Test
    void withoutACachedTarballAndWithoutAptItSaysHowToGiveTheSource() throws Exception {
        Path cache = dir.resolve("cache");

        Run run = fetch(cache, "0".repeat(64));

        assertThat(run.status).isNotZero();
        assertThat(run.stderr).startsWith("uvtcp native build: ERROR: cannot fetch libuv's"
                + " source; missing:")
                .contains("with apt-get, which this system lacks")
                .contains("-Dlibuv.source.dir=DIR")
                .contains("libuv1_" + VERSION + ".orig.tar.gz");
        assertThat(cache).as("nothing was started").doesNotExist();
    }

    private record Run(int status, String stdout, String stderr) {
    }

    private Run fetch(Path cache, String sha256) throws Exception {
        Path bin = dir.resolve("bin");
        if (!Files.isDirectory(bin)) {
            NativeBuildPrerequisitesTest.toolsOnly(bin, "bash", "tar", "gzip", "sha256sum",
                    "flock", "cut", "mkdir", "rm", "mv", "touch");
        }
        ProcessBuilder builder = new ProcessBuilder(bin.resolve("bash").toString(),
                "src/main/native/fetch-libuv.sh", "--libuv-version=" + VERSION,
                "--libuv-sha256=" + sha256, "--cache=" + cache, "--work=" + dir.resolve("work"))
                .redirectOutput(dir.resolve("out.txt").toFile())
                .redirectError(dir.resolve("err.txt").toFile());
        builder.environment().put("PATH", bin.toString());
        builder.environment().remove("UVTCP_LIBUV_SRC");
        Process process = builder.start();
        try {
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            return new Run(process.exitValue(), Files.readString(dir.resolve("out.txt")),
                    Files.readString(dir.resolve("err.txt")));
        } finally {
            process.destroyForcibly();
        }
    }

    /** A tarball shaped like libuv's release (one top folder); returns its sha256. */
    private String fakeRelease(Path tarball) throws Exception {
        Path tree = Files.createDirectories(dir.resolve("release/libuv-v" + VERSION));
        Files.writeString(tree.resolve("CMakeLists.txt"), "project(libuv)");
        Process tar = new ProcessBuilder("tar", "-czf", tarball.toString(), "-C",
                tree.getParent().toString(), tree.getFileName().toString())
                .redirectErrorStream(true).start();
        try {
            assertThat(tar.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(tar.exitValue()).as(new String(tar.getInputStream().readAllBytes(),
                    UTF_8)).isZero();
        } finally {
            tar.destroyForcibly();
        }
        return sha256(tarball);
    }

    private static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
