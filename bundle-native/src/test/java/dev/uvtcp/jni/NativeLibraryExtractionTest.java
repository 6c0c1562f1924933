package dev.uvtcp.jni;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    /**
     * What a class loader after the first one gets: each copy is a new file in a new private
     * directory, readable by this user only, and both are gone once it is loaded. The "load"
     * here records what it saw instead of loading: this JVM has the library already.
     */
    @Test
    void everyCopyIsAUniqueFileInAPrivateDirectoryDeletedAfterLoading() throws Exception {
        byte[] library = "not really a library".getBytes(StandardCharsets.US_ASCII);
        List<Path> seen = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            NativeLibrary.loadPrivateCopy(new ByteArrayInputStream(library), "libuvtcp.so",
                    file -> {
                        try {
                            Path dir = file.getParent();
                            assertThat(dir.getParent())
                                    .isEqualTo(Path.of(System.getProperty("java.io.tmpdir")));
                            assertThat(dir.getFileName().toString()).startsWith("uvtcp-");
                            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
                                    dir, LinkOption.NOFOLLOW_LINKS))).isEqualTo("rwx------");
                            assertThat(Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName())
                                    .isEqualTo(System.getProperty("user.name"));
                            assertThat(file.getFileName().toString()).startsWith("libuvtcp-")
                                    .endsWith(".so");
                            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
                                    file, LinkOption.NOFOLLOW_LINKS))).isEqualTo("rw-------");
                            assertThat(Files.readAllBytes(file)).isEqualTo(library);
                            try (var listing = Files.list(dir)) {
                                assertThat(listing).containsExactly(file);
                            }
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                        seen.add(file);
                    });
        }
        assertThat(seen).hasSize(3).doesNotHaveDuplicates();
        assertThat(seen.stream().map(Path::getParent)).doesNotHaveDuplicates();
        for (Path file : seen) {
            assertThat(file).as("copy deleted after loading").doesNotExist();
            assertThat(file.getParent()).as("its directory deleted").doesNotExist();
        }
    }

    @Test
    void aCopyThatFailsToLoadIsDeletedAndTheErrorPassesThrough() throws Exception {
        List<Path> seen = new ArrayList<>();
        assertThatThrownBy(() -> NativeLibrary.loadPrivateCopy(
                new ByteArrayInputStream(new byte[16]), "libuvtcp.so", file -> {
                    seen.add(file);
                    throw new UnsatisfiedLinkError("bad ELF header");
                })).isInstanceOf(UnsatisfiedLinkError.class).hasMessage("bad ELF header");
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0)).doesNotExist();
        assertThat(seen.get(0).getParent()).doesNotExist();
    }

    @Test
    void theJvmsRefusalOfALibraryOfAnotherClassLoaderIsRecognisedByItsMessage() {
        assertThat(NativeLibrary.isLoadedByAnotherClassLoader(new UnsatisfiedLinkError(
                "Native Library /x/libuvtcp.so already loaded in another classloader"))).isTrue();
        assertThat(NativeLibrary.isLoadedByAnotherClassLoader(new UnsatisfiedLinkError(
                "no uvtcp in java.library.path: /usr/lib"))).isFalse();
        assertThat(NativeLibrary.isLoadedByAnotherClassLoader(new UnsatisfiedLinkError()))
                .isFalse();
    }

    @Test
    void theFileRefusedOnTheLibraryPathIsTheFirstOfItsNameThere(@TempDir Path tmp)
            throws Exception {
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        Path first = Files.createDirectory(tmp.resolve("first"));
        Path second = Files.createDirectory(tmp.resolve("second"));
        Files.write(first.resolve("libuvtcp.so"), new byte[1]);
        Files.write(second.resolve("libuvtcp.so"), new byte[1]);
        String path = String.join(File.pathSeparator, "", empty.toString(), first.toString(),
                second.toString());
        assertThat(NativeLibrary.findOnLibraryPath(path, "libuvtcp.so"))
                .isEqualTo(first.resolve("libuvtcp.so"));
        assertThat(NativeLibrary.findOnLibraryPath(empty.toString(), "libuvtcp.so")).isNull();
        assertThat(NativeLibrary.findOnLibraryPath("", "libuvtcp.so")).isNull();
    }
}
