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
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One launcher per deploy folder. Two launchers on one folder would both install every bundle
 * in it and apply every configuration, each plugin then fighting for its port with its twin
 * in the other process. The second launcher refuses to start, naming the first one's process
 * id.
 *
 * <p>The lock is an operating-system lock ({@link FileChannel#tryLock()}), released when the
 * process ends however it ends, so a crashed launcher leaves no stale lock. Its file is not in
 * the deploy folder but in the temporary folder ({@code java.io.tmpdir}), named after a hash
 * of the deploy folder's real path: on Linux the lock is a POSIX record lock, which the
 * process loses as soon as any of its descriptors for that file is closed, and FileInstall
 * opens every file of the folder it watches. Two launchers with different
 * {@code java.io.tmpdir} settings do not see each other's locks.
 */
final class DeployFolderLock {

    /** Held for the life of the process: an unreachable channel could be closed by a cleaner. */
    private static FileChannel held;

    private DeployFolderLock() {
    }

    /**
     * @param deploy the deploy folder, which exists
     * @throws Launcher.LaunchException if another process holds it, or it cannot be locked
     */
    static synchronized void acquire(Path deploy) throws Launcher.LaunchException {
        Path file;
        try {
            file = lockFile(deploy.toRealPath());
        } catch (IOException e) {
            throw new Launcher.LaunchException("cannot lock the deploy folder " + deploy + ": "
                    + e);
        }
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

    /** @return the lock file of a deploy folder, given by its real path */
    static Path lockFile(Path realDeploy) {
        byte[] hash;
        try {
            hash = MessageDigest.getInstance("SHA-256")
                    .digest(realDeploy.toString().getBytes(UTF_8));
        } catch (NoSuchAlgorithmException everyJdkHasIt) {
            throw new IllegalStateException(everyJdkHasIt);
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "uvtcp-launcher-"
                + HexFormat.of().formatHex(hash, 0, 8) + ".lock");
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
