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

    /** Runs the loop without blocking until {@code condition} holds, or fails after 5 s. */
    void runUntil(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TIMEOUT_MILLIS * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for: " + what);
            }
            UvNative.loopRun(address, UvNative.RUN_NOWAIT);
            if (!condition.getAsBoolean()) {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    fail("interrupted waiting for: " + what);
                }
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
        int[] result = {UvNative.errCode("EBUSY")};
        runUntil("loop deleted", () -> {
            result[0] = UvNative.loopDelete(address);
            return result[0] != UvNative.errCode("EBUSY");
        });
        assertThat(result[0]).as("loopDelete").isZero();
        deleted = true;
    }
}
