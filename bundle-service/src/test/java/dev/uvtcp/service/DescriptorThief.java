package dev.uvtcp.service;

import java.io.FileInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Another thread of the process that takes every descriptor that becomes free and keeps it,
 * as a busy JVM (class loading, files, sockets) can: the race libuv's "emfile trick" loses.
 * Used by {@link FdExhaustionServer}. Bounded: it gives up taking after a minute.
 *
 * <p>Threading: {@link #start()} and {@link #release()} from one controlling thread.
 */
final class DescriptorThief {

    private static final long MAX_RUN_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final List<FileInputStream> held = new ArrayList<>();
    private final Thread thread = new Thread(this::takeUntilInterrupted, "descriptor-thief");
    private volatile int takenSinceStart;

    /** Takes every free descriptor, then keeps taking in the background; returns how many. */
    int start() {
        int taken = takeAllFree();
        thread.setDaemon(true);
        thread.start();
        return taken;
    }

    /** Descriptors taken in the background since {@link #start()} returned. */
    int takenSinceStart() {
        return takenSinceStart;
    }

    /** Stops taking and closes everything taken; returns how many that was. */
    int release() throws InterruptedException {
        thread.interrupt();
        thread.join(TimeUnit.SECONDS.toMillis(10));
        synchronized (held) {
            int count = held.size();
            for (FileInputStream in : held) {
                try {
                    in.close();
                } catch (IOException ignored) {
                    // closing /dev/null does not fail
                }
            }
            held.clear();
            return count;
        }
    }

    private void takeUntilInterrupted() {
        long deadline = System.nanoTime() + MAX_RUN_NANOS;
        while (!Thread.currentThread().isInterrupted() && System.nanoTime() < deadline) {
            int taken = takeAllFree();
            if (taken > 0) {
                takenSinceStart += taken;
            }
        }
    }

    private int takeAllFree() {
        int taken = 0;
        synchronized (held) {
            while (true) {
                try {
                    held.add(new FileInputStream("/dev/null"));
                    taken++;
                } catch (IOException outOfDescriptors) {
                    return taken;
                }
            }
        }
    }
}
