package dev.uvtcp.launcher;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The framework's cache: a fresh temporary folder per run, deleted once, by one owner (the
 * launcher's shutdown hook), after the framework has stopped. Deleting is quiet: a file that is
 * already gone is not an error, and nothing here ever throws, so that stopping the launcher
 * never prints a stack trace.
 */
final class FrameworkCache {

    private final Path path;
    private final AtomicBoolean deleted = new AtomicBoolean();

    private FrameworkCache(Path path) {
        this.path = path;
    }

    /**
     * @return a new, empty cache folder
     * @throws Launcher.LaunchException if the temporary folder cannot be created
     */
    static FrameworkCache create() throws Launcher.LaunchException {
        try {
            return new FrameworkCache(Files.createTempDirectory("uvtcp-felix-"));
        } catch (IOException e) {
            throw new Launcher.LaunchException("cannot create the framework's cache folder: "
                    + e);
        }
    }

    Path path() {
        return path;
    }

    /** Deletes the folder and everything in it; only the first call does anything. */
    void delete() {
        if (!deleted.compareAndSet(false, true)) {
            return;
        }
        try {
            Files.walkFileTree(path, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    deleteIfThere(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) {
                    deleteIfThere(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException gone) {
            // nothing left to delete
        } catch (IOException | RuntimeException e) {
            System.err.println("uvtcp launcher: could not delete the framework cache " + path
                    + ": " + e);
        }
    }

    private static void deleteIfThere(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // left in the temporary folder: nothing more a stopping launcher can do
        }
    }
}
