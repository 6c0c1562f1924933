package dev.uvtcp.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Where the reliability tests report their figures: stdout (the surefire report of the test)
 * and, when the system property {@code uvtcp.figures} names a file, a line appended to it, so
 * that a run's figures survive other builds writing into the same target directory.
 */
final class Figures {

    private Figures() {
    }

    static synchronized void report(String format, Object... args) {
        String line = String.format(format, args);
        System.out.println(line);
        String file = System.getProperty("uvtcp.figures");
        if (file != null && !file.isEmpty()) {
            try {
                Files.writeString(Path.of(file), java.time.Instant.now() + " " + line + "\n",
                        StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
