package dev.uvtcp.service;

import dev.uvtcp.ListenHandler;
import dev.uvtcp.UvException;
import dev.uvtcp.jni.ErrorCodes;
import dev.uvtcp.jni.UvNative;
import java.util.concurrent.RejectedExecutionException;

/**
 * A stream's listening: its handler, the backlog it listens with, and accepting again after
 * libuv stopped it for want of descriptors. Apart from {@link UvStream} so that connections,
 * the many, do not carry these fields.
 *
 * <p>Threading: loop thread only. Lifetime: from a successful {@code listen} until the stream
 * closes or listens again ({@link UvStream#isListening} then no longer names this one).
 */
final class Listening {

    /**
     * How long accepting pauses when libuv stopped it, out of descriptors: long enough for the
     * loop to sleep instead of spin, short enough to serve soon after descriptors are free.
     */
    static final long PAUSE_AFTER_OUT_OF_DESCRIPTORS_MILLIS = 100;

    private final UvStream stream;
    private final ListenHandler handler;
    private final int backlog;
    private boolean resumeScheduled;

    Listening(UvStream stream, ListenHandler handler, int backlog) {
        this.stream = stream;
        this.handler = handler;
        this.backlog = backlog;
    }

    /** Up-call (loop thread): a connection is waiting, or accepting failed with status. */
    void onConnection(int status) {
        if (status == ErrorCodes.EMFILE || status == ErrorCodes.ENFILE) {
            // libuv (patched, see bundle-native's patches/) may have stopped accepting
            scheduleResume();
        }
        tell(status == 0 ? null : UvErrors.exception(status, "listen " + stream.label()));
    }

    private void tell(UvException error) {
        try {
            handler.onConnection(stream, error);
        } catch (Throwable t) {
            UvHandle.LOG.log(System.Logger.Level.WARNING, "ListenHandler of " + stream.label()
                    + " threw", t);
        }
    }

    /**
     * Out of descriptors, libuv stops watching the server when it could not shed the waiting
     * connections (rather than retry accept() without end, which would starve every other
     * handle of the loop). Accepting resumes after a pause: Netty pauses its acceptor likewise.
     * Resuming when libuv did not stop is harmless (uv_listen again).
     */
    private void scheduleResume() {
        if (resumeScheduled) {
            return;
        }
        resumeScheduled = true;
        try {
            stream.owner().timer().schedule(stream.loop, this::resume,
                    PAUSE_AFTER_OUT_OF_DESCRIPTORS_MILLIS);
        } catch (RejectedExecutionException stopped) {
            resumeScheduled = false; // the loops are stopping: nothing to resume
        }
    }

    private void resume() {
        resumeScheduled = false;
        if (!stream.isListening(this)) {
            return; // closed, or listening again (which resumed already)
        }
        int result = UvNative.listen(stream.address, backlog);
        if (result < 0) {
            tell(UvErrors.exception(result, "resume accepting on " + stream.label()));
        }
    }
}
