package dev.uvtcp.launcher;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One launcher per deploy folder. Two launchers on one folder would both install every bundle
 * in it and both apply every configuration, each plugin then fighting for its port with its
 * twin in the other process. The second launcher refuses to start, naming the first one's
 * process id.
 *
 * <p>The lock is an operating-system lock ({@link FileChannel#tryLock()}) on the file
 * {@value #NAME} in the deploy folder: it is released when the process ends, however it ends,
 * so a crashed launcher leaves no stale lock behind (the file itself stays, harmless; FileInstall
 * ignores it, as it is neither a bundle nor a configuration, and the launcher's deploy report
 * skips names starting with a dot).
 */
final class DeployFolderLock {

    static final String NAME = ".uvtcp-launcher.lock";

    /** Held for the life of the process: an unreachable channel could be closed by a cleaner. */
    private static FileChannel held;

    private DeployFolderLock() {
    }

    /**
     * @param deploy the deploy folder (absolute)
     * @throws Launcher.LaunchException if another process holds it, or it cannot be locked
     */
    static synchronized void acquire(Path deploy) throws Launcher.LaunchException {
        Path file = deploy.resolve(NAME);
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE,
                    StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException sameProcess) {
                lock = null;
            }
            if (lock == null) {
                String holder = Files.readString(file, UTF_8).strip();
                channel.close();
                throw new Launcher.LaunchException("another uvtcp launcher"
                        + (holder.isEmpty() ? "" : " (process " + holder + ")")
                        + " already uses the deploy folder " + deploy + ": stop it, or give"
                        + " this one a folder of its own with --deploy DIR");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(Long.toString(ProcessHandle.current().pid())
                    .getBytes(UTF_8)));
            channel.force(false);
            held = channel;
        } catch (IOException e) {
            closeQuietly(channel);
            throw new Launcher.LaunchException("cannot lock the deploy folder " + deploy
                    + " (" + file + "): " + e);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the lock, if any, goes with the process
            }
        }
    }
}
