package dev.uvtcp.jni;

/**
 * Up-calls from the native layer for one loop and every handle on it: one object per loop, the
 * handles named by the id given to {@link UvNative#tcpInit(long, int, int)}, so the native
 * layer holds no JNI reference per handle.
 *
 * <p>Threading: every method is called on the loop's thread, from inside
 * {@link UvNative#loopRun(long, int)}. Implementations must not throw: the native layer clears
 * and reports any exception that escapes, but the event that caused it is lost.
 *
 * <p>Lifetime: the native layer holds a global reference to it from
 * {@link UvNative#loopNew(java.nio.ByteBuffer, LoopCallbacks)} until the loop is deleted. An
 * abstract class rather than an interface: up-calls then dispatch through the vtable, not an
 * itable search per call (measurable with perf on the read path).
 */
public abstract class LoopCallbacks {

    /** For subclasses. */
    protected LoopCallbacks() {
    }

    /**
     * The loop's async handle fired: one or more {@link UvNative#loopWakeup(long)} calls were
     * made since the last time. libuv coalesces wake-ups, so this runs once for a whole batch.
     */
    public abstract void onWakeup();

    /**
     * A read finished. For {@code nread > 0} the bytes are at the start of the loop's read
     * buffer and are valid until this method returns; a negative value is a libuv error code
     * ({@code UV_EOF} at end of stream). libuv's {@code nread == 0} is never delivered.
     *
     * @param handle the handle's id
     * @param nread number of bytes read, or a negative libuv error code
     */
    public abstract void onRead(int handle, long nread);

    /**
     * A write queued by {@link UvNative#write} finished.
     *
     * @param handle the handle's id
     * @param requestId the id given to {@code write}
     * @param status 0 or a negative libuv error code ({@code UV_ECANCELED} when the handle closed)
     */
    public abstract void onWrite(int handle, int requestId, int status);

    /**
     * The connect started by {@link UvNative#tcpConnect} finished.
     *
     * @param handle the handle's id
     * @param status 0 or a negative libuv error code
     */
    public abstract void onConnect(int handle, int status);

    /**
     * The shutdown started by {@link UvNative#shutdown(long)} finished.
     *
     * @param handle the handle's id
     * @param status 0 or a negative libuv error code
     */
    public abstract void onShutdown(int handle, int status);

    /**
     * A listening stream has a connection to accept, or listening failed.
     *
     * @param handle the handle's id
     * @param status 0 or a negative libuv error code
     */
    public abstract void onConnection(int handle, int status);

    /**
     * The handle is closed and its native memory is freed. Its address must never be used
     * again; its id may be given to a new handle from now on. Called exactly once per handle.
     *
     * @param handle the handle's id
     */
    public abstract void onClose(int handle);
}
