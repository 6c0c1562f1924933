package dev.uvtcp.jni;

/**
 * Up-calls from the native layer for one libuv handle.
 *
 * <p>Threading: every method is called on the thread that runs the handle's loop, from inside
 * {@link UvNative#loopRun(long, int)}. Implementations must not throw: the native layer clears
 * and reports any exception that escapes, but the event that caused it is lost.
 *
 * <p>Lifetime: the native layer holds a JNI global reference to the implementation from
 * {@link UvNative#tcpInit(long, int, HandleCallbacks)} until it has called {@link #onClose()}.
 *
 * <p>An abstract class rather than an interface: the native layer's up-calls then dispatch
 * through the vtable, not an itable search per call (measurable with perf on the read path).
 */
public abstract class HandleCallbacks {

    /** For subclasses. */
    protected HandleCallbacks() {
    }

    /**
     * A read finished. For {@code nread > 0} the bytes are at the start of the loop's read
     * buffer (see {@link UvNative#loopNew(java.nio.ByteBuffer, LoopCallbacks)}) and are valid
     * until this method returns; a negative value is a libuv error code ({@code UV_EOF} at end
     * of stream). libuv's {@code nread == 0} (would block) is never delivered.
     *
     * @param nread number of bytes read, or a negative libuv error code
     */
    public abstract void onRead(long nread);

    /**
     * A write queued by {@link UvNative#write} finished.
     *
     * @param requestId the id given to {@code write}
     * @param status 0 or a negative libuv error code ({@code UV_ECANCELED} when the handle closed)
     */
    public abstract void onWrite(int requestId, int status);

    /**
     * The connect started by {@link UvNative#tcpConnect} finished.
     *
     * @param status 0 or a negative libuv error code
     */
    public abstract void onConnect(int status);

    /**
     * The shutdown started by {@link UvNative#shutdown(long)} finished.
     *
     * @param status 0 or a negative libuv error code
     */
    public abstract void onShutdown(int status);

    /**
     * A listening stream has a connection to accept, or listening failed.
     *
     * @param status 0 or a negative libuv error code
     */
    public abstract void onConnection(int status);

    /**
     * The handle is closed and its native memory is freed. The address given out for it must
     * never be used again. Called exactly once per handle.
     */
    public abstract void onClose();
}
