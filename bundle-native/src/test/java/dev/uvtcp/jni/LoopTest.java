package dev.uvtcp.jni;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class LoopTest {

    @Test
    void loopIsCreatedRunShutDownAndDeleted() {
        long loop = UvNative.loopNew(ByteBuffer.allocateDirect(1024), TestLoop.ignoring());
        assertThat(loop).isPositive();
        assertThat(UvNative.loopRun(loop, UvNative.RUN_NOWAIT)).isGreaterThanOrEqualTo(0);
        assertThat(UvNative.loopAlive(loop)).isFalse();
        assertThat(UvNative.loopNow(loop)).isNotNegative();
        // The async handle is still open.
        assertThat(UvNative.loopDelete(loop)).isEqualTo(UvNative.errCode("EBUSY"));
        UvNative.loopCloseAll(loop);
        assertThat(UvNative.loopRun(loop, UvNative.RUN_NOWAIT)).isZero();
        assertThat(UvNative.loopDelete(loop)).isZero();
    }

    @Test
    void heapReadBufferIsRejected() {
        assertThat(UvNative.loopNew(ByteBuffer.allocate(16), TestLoop.ignoring()))
                .isEqualTo(UvNative.errCode("EINVAL"));
    }

    @Test
    void wakeupFromAnotherThreadCallsOnWakeup() throws Exception {
        try (TestLoop loop = new TestLoop()) {
            Thread other = new Thread(() -> UvNative.loopWakeup(loop.address));
            other.start();
            other.join();
            loop.runUntil("onWakeup", () -> loop.wakeups.get() > 0);
            assertThat(loop.wakeups.get()).isEqualTo(1);
        }
    }

    @Test
    void loopWithAnActiveHandleIsAliveAndCannotBeDeleted() {
        try (TestLoop loop = new TestLoop()) {
            RecordingCallbacks cb = new RecordingCallbacks(loop.readBuffer);
            long tcp = loop.tcpInit(UvNative.DOMAIN_UNSPEC, cb);
            assertThat(UvNative.tcpBind(tcp, new byte[] {127, 0, 0, 1}, 0, 0, false)).isZero();
            assertThat(UvNative.listen(tcp, 8)).isZero();
            assertThat(UvNative.loopAlive(loop.address)).isTrue();
            UvNative.unref(tcp);
            assertThat(UvNative.hasRef(tcp)).isFalse();
            assertThat(UvNative.loopAlive(loop.address)).isFalse();
            assertThat(UvNative.loopDelete(loop.address)).isEqualTo(UvNative.errCode("EBUSY"));
        }
    }
}
