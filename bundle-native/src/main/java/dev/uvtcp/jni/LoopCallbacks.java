package dev.uvtcp.jni;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

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
 * {@link UvNative#loopNew(ByteBuffer, LoopCallbacks)} until the loop is deleted. An
 * abstract class rather than an interface: up-calls then dispatch through the vtable, not an
 * itable search per call (measurable with perf on the read path).
 */
public abstract class LoopCallbacks {

    /** Reads one batch holds at most (a batch is delivered early when full). */
    static final int READ_EVENTS_PER_BATCH = 1024;

    /**
     * The reads of the batch being delivered, as the native layer lays them out: per read, the
     * handle's id (int), where its bytes start in the read buffer (int), nread (long).
     */
    private final ByteBuffer readEvents = ByteBuffer
            .allocateDirect(READ_EVENTS_PER_BATCH * UvNative.READ_EVENT_BYTES)
            .order(ByteOrder.nativeOrder());

    /** For subclasses. */
    protected LoopCallbacks() {
    }

    /** The buffer the native layer writes each batch's reads into. */
    final ByteBuffer readEvents() {
        return readEvents;
    }

    /**
     * The loop's async handle fired: one or more {@link UvNative#loopWakeup(long)} calls were
     * made since the last time. libuv coalesces wake-ups, so this runs once for a whole batch.
     */
    public abstract void onWakeup();

    /**
     * Up-call: the reads of one batch, delivered in libuv's order, each to
     * {@link #onRead(int, long, int)}. The native layer batches the reads of a poll phase and
     * delivers them after the phase, or at once when a read filled what it was given (libuv
     * reads that stream again at once) or the batch is full: one up-call instead of one per
     * read. Each handle's reads keep their order and come before its {@link #onClose}; other
     * up-calls of the same poll phase (a write or connect finished, a wake-up) may come before
     * them ({@link UvNative#loopPendingReads} says whether reads are waiting).
     *
     * @param count reads in the batch, at least one
     */
    final void onReads(int count) {
        ByteBuffer events = readEvents;
        try {
            for (int i = 0; i < count; i++) {
                int at = i * UvNative.READ_EVENT_BYTES;
                onRead(events.getInt(at), events.getLong(at + 8), events.getInt(at + 4));
            }
        } finally {
            afterReads();
        }
    }

    /** Loop thread: a batch of reads was delivered. Does nothing unless overridden. */
    protected void afterReads() {
    }

    /**
     * A read finished. For {@code nread > 0} the bytes are in the loop's read buffer from
     * {@code offset} on and are valid until the batch of reads this one belongs to is
     * delivered (until {@link #onReads} returns); a negative value is a libuv error code
     * ({@code UV_EOF} at end of stream). libuv's {@code nread == 0} is never delivered.
     * Must not throw: the rest of the batch would be lost.
     *
     * @param handle the handle's id
     * @param nread number of bytes read, or a negative libuv error code
     * @param offset where the bytes start in the read buffer (0 for an error)
     */
    public abstract void onRead(int handle, long nread, int offset);

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
