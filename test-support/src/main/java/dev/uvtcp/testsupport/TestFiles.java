package dev.uvtcp.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Folder trees a test sets up and clears (a Karaf copy, a work folder).
 *
 * <p>Thread safety: static methods, nothing shared; a tree must not be changed by anyone else
 * while they run.
 */
public final class TestFiles {

    private TestFiles() {
    }

    /**
     * Deletes a file or a folder with everything in it. Symbolic links are deleted, never
     * followed: what they point at stays. Nothing happens if {@code root} does not exist.
     *
     * @param root the file or folder
     * @throws IOException if something cannot be deleted
     */
    public static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(root)) {
            paths = walk.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path path : paths) {
            Files.delete(path);
        }
    }

    /**
     * Copies a folder with everything in it, keeping the files' attributes (a script stays
     * executable) and replacing files that exist in {@code to}.
     *
     * @param from the folder to copy
     * @param to where its contents go (created if missing)
     * @throws IOException if something cannot be copied
     */
    public static void copyRecursively(Path from, Path to) throws IOException {
        List<Path> sources;
        try (Stream<Path> walk = Files.walk(from)) {
            sources = walk.toList();
        }
        for (Path source : sources) {
            Path target = to.resolve(from.relativize(source).toString());
            if (Files.isDirectory(source)) {
                Files.createDirectories(target);
            } else {
                Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }
}
