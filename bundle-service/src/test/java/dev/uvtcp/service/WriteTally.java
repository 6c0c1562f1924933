package dev.uvtcp.service;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The outcomes of a test's writes, tallied from their stages (any thread): the bytes of the
 * writes that succeeded, how many failed, and the first failure.
 */
final class WriteTally {

    private final AtomicLong okBytes = new AtomicLong();
    private final AtomicLong failedWrites = new AtomicLong();
    private volatile Throwable firstFailure;

    /**
     * Records one write's outcome.
     *
     * @param bytes the write's size
     * @param error why it failed; null if it succeeded
     */
    void record(long bytes, Throwable error) {
        if (error == null) {
            okBytes.addAndGet(bytes);
            return;
        }
        failedWrites.incrementAndGet();
        if (firstFailure == null) {
            firstFailure = error;
        }
    }

    long okBytes() {
        return okBytes.get();
    }

    long failedWrites() {
        return failedWrites.get();
    }

    Throwable firstFailure() {
        return firstFailure;
    }

    @Override
    public String toString() {
        return "ok " + okBytes.get() + " bytes, failed writes " + failedWrites.get()
                + (firstFailure != null ? " (" + firstFailure + ")" : "");
    }
}
