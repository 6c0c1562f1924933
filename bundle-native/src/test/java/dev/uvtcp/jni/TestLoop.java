package dev.uvtcp.jni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * A real libuv loop for tests, driven on the test thread with {@code RUN_NOWAIT}; its up-calls
 * go to the {@link RecordingCallbacks} of each handle made with {@link #tcpInit}.
 */
final class TestLoop implements AutoCloseable {

    static final long TIMEOUT_MILLIS = 5_000;

    final ByteBuffer readBuffer = ByteBuffer.allocateDirect(64 * 1024);
    final AtomicInteger wakeups = new AtomicInteger();
    final long address;
    private final List<RecordingCallbacks> handles = new ArrayList<>();
    /** Write arrays handed to natives, kept reachable for the test's duration. */
    private final List<ByteBuffer> iovs = new ArrayList<>();
    private boolean deleted;

    TestLoop() {
        address = UvNative.loopNew(readBuffer, new Dispatch());
        assertThat(address).as("loopNew").isPositive();
    }

    /** {@code UvNative.tcpInit} of a handle whose events {@code callbacks} records. */
    long tcpInit(int domain, RecordingCallbacks callbacks) {
        handles.add(callbacks);
        return UvNative.tcpInit(address, domain, handles.size() - 1);
    }

    /** The write array for {@code UvNative.write}/{@code tryWrite} of these buffer regions. */
    long iov(ByteBuffer[] buffers, int[] positions, int[] lengths) {
        long[] pairs = new long[buffers.length * 2];
        for (int i = 0; i < buffers.length; i++) {
            pairs[2 * i] = UvNative.bufferAddress(buffers[i]) + positions[i];
            pairs[2 * i + 1] = lengths[i];
        }
        return iov(pairs);
    }

    /** The write array of raw (address, length) pairs. */
    long iov(long... pairs) {
        ByteBuffer array = ByteBuffer.allocateDirect(pairs.length * 8)
                .order(ByteOrder.nativeOrder());
        for (int i = 0; i < pairs.length; i++) {
            array.putLong(i * 8, pairs[i]);
        }
        iovs.add(array);
        return UvNative.bufferAddress(array);
    }

    /** Up-calls to the recorder of the handle named. */
    private final class Dispatch extends LoopCallbacks {
        @Override
        public void onWakeup() {
            wakeups.incrementAndGet();
        }

        @Override
        public void onRead(int handle, long nread, int offset) {
            handles.get(handle).onRead(nread, offset);
        }

        @Override
        public void onWrite(int handle, int requestId, int status) {
            handles.get(handle).onWrite(requestId, status);
        }

        @Override
        public void onConnect(int handle, int status) {
            handles.get(handle).onConnect(status);
        }

        @Override
        public void onShutdown(int handle, int status) {
            handles.get(handle).onShutdown(status);
        }

        @Override
        public void onConnection(int handle, int status) {
            handles.get(handle).onConnection(status);
        }

        @Override
        public void onClose(int handle) {
            handles.get(handle).onClose();
        }
    }

    /** A LoopCallbacks that ignores everything, for loops without handles. */
    static LoopCallbacks ignoring() {
        return new LoopCallbacks() {
            @Override
            public void onWakeup() {
            }

            @Override
            public void onRead(int handle, long nread, int offset) {
            }

            @Override
            public void onWrite(int handle, int requestId, int status) {
            }

            @Override
            public void onConnect(int handle, int status) {
            }

            @Override
            public void onShutdown(int handle, int status) {
            }

            @Override
            public void onConnection(int handle, int status) {
            }

            @Override
            public void onClose(int handle) {
            }
        };
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
        UvNative.loopCloseAll(address);
        int busy = UvNative.errCode("EBUSY");
        int[] result = {busy};
        // loopDelete frees the loop on success: the condition must not call it again after.
        runUntil("loop deleted", () -> (result[0] = UvNative.loopDelete(address)) != busy);
        assertThat(result[0]).as("loopDelete").isZero();
        deleted = true;
    }
}
