package dev.uvtcp.jni;

/**
 * Up-calls from the native layer for one loop.
 *
 * <p>Threading: called on the loop's thread, from inside {@link UvNative#loopRun(long, int)}.
 * Implementations must not throw.
 */
public interface LoopCallbacks {

    /**
     * The loop's async handle fired: one or more {@link UvNative#loopWakeup(long)} calls were
     * made since the last time. libuv coalesces wake-ups, so this runs once for a whole batch.
     */
    void onWakeup();
}
