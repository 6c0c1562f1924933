package dev.uvtcp.jni;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Security of the extracted native library: it is written into a directory only this user
 * can write, with a unique name, and both are gone right after loading, so nothing is ever
 * loaded from a world-writable place and nothing is left behind.
 */
class NativeLibraryExtractionTest {

    @Test
    void theExtractionDirectoryIsPrivateAndUnique() throws Exception {
        Path a = NativeLibrary.createPrivateDirectory();
        Path b = NativeLibrary.createPrivateDirectory();
        try {
            assertThat(a).isNotEqualTo(b);
            assertThat(a.getParent()).isEqualTo(Path.of(System.getProperty("java.io.tmpdir")));
            for (Path dir : List.of(a, b)) {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir,
                        LinkOption.NOFOLLOW_LINKS);
                assertThat(PosixFilePermissions.toString(perms)).isEqualTo("rwx------");
                assertThat(Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName())
                        .isEqualTo(System.getProperty("user.name"));
                assertThat(Files.isSymbolicLink(dir)).isFalse();
            }
        } finally {
            Files.deleteIfExists(a);
            Files.deleteIfExists(b);
        }
    }

    @Test
    void theLoadedLibraryFileAndItsDirectoryAreDeletedRightAfterLoading() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                System.getProperty(NativeLibrary.PATH_PROPERTY) == null,
                "the library is loaded from -D" + NativeLibrary.PATH_PROPERTY + ", not extracted");
        UvNative.version(); // loads the library (from this module's classes: extracted)
        List<String> mapped = Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .filter(line -> line.contains("libuvtcp"))
                .map(line -> line.substring(line.indexOf('/')))
                .distinct()
                .collect(Collectors.toList());
        assertThat(mapped).as("libuvtcp mappings").isNotEmpty();
        for (String entry : mapped) {
            assertThat(entry).as("mapped library is deleted").endsWith(" (deleted)");
            Path file = Path.of(entry.substring(0, entry.length() - " (deleted)".length()));
            assertThat(file.getFileName().toString()).startsWith("libuvtcp-").endsWith(".so");
            assertThat(file.getParent().getFileName().toString()).startsWith("uvtcp-");
            assertThat(Files.exists(file)).isFalse();
            assertThat(Files.exists(file.getParent())).as("extraction directory removed")
                    .isFalse();
        }
    }
}
