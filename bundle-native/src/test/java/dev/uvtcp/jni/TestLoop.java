package dev.uvtcp.jni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/** A real libuv loop for tests, driven on the test thread with {@code RUN_NOWAIT}. */
final class TestLoop implements AutoCloseable {

    static final long TIMEOUT_MILLIS = 5_000;

    final ByteBuffer readBuffer = ByteBuffer.allocateDirect(64 * 1024);
    final AtomicInteger wakeups = new AtomicInteger();
    final long address;
    private boolean deleted;

    TestLoop() {
        address = UvNative.loopNew(readBuffer, wakeups::incrementAndGet);
        assertThat(address).as("loopNew").isPositive();
    }

    /**
     * Runs the loop without blocking until {@code condition} holds, or fails after 5 s. The
     * condition is evaluated once after each loop iteration (and once before the first).
     */
    void runUntil(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TIMEOUT_MILLIS * 1_000_000;
        if (condition.getAsBoolean()) {
            return;
        }
        while (true) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for: " + what);
            }
            UvNative.loopRun(address, UvNative.RUN_NOWAIT);
            if (condition.getAsBoolean()) {
                return;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for: " + what);
            }
        }
    }

    /** Closes every handle, runs the loop until they are closed and deletes it. */
    @Override
    public void close() {
        if (deleted) {
            return;
        }
        UvNative.loopShutdown(address);
        int busy = UvNative.errCode("EBUSY");
        int[] result = {busy};
        // loopDelete frees the loop on success: the condition must not call it again after.
        runUntil("loop deleted", () -> (result[0] = UvNative.loopDelete(address)) != busy);
        assertThat(result[0]).as("loopDelete").isZero();
        deleted = true;
    }
}
