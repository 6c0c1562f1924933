package dev.uvtcp.service;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;

/**
 * A stream's idle timeout: closes it once nothing was read and no write completed for a while.
 * Checked by a task the owner's {@link LoopTimer} hands to the loop when the timeout could
 * next expire, not on every read or write: those only note the time ({@link #activity()}).
 * Made only for streams that have a timeout, so that others carry one null field.
 *
 * <p>Threading: loop thread only. Lifetime: from {@link UvStream#startIdleTimeout} until the
 * stream closes ({@link #cancel()}).
 */
final class IdleTimeout {

    private final UvStream stream;
    private final long timeoutMillis;
    /** {@link System#nanoTime()} of the last read or completed write. */
    private long lastActivityNanos;
    /** The pending check, or null. */
    private ScheduledFuture<?> check;

    IdleTimeout(UvStream stream, long timeoutMillis) {
        this.stream = stream;
        this.timeoutMillis = timeoutMillis;
        this.lastActivityNanos = System.nanoTime();
    }

    /** Starts watching: the first check comes when the timeout has passed. */
    void start() {
        schedule(timeoutMillis);
    }

    /** Something was read or a write completed: the stream is not idle now. */
    void activity() {
        lastActivityNanos = System.nanoTime();
    }

    private void schedule(long delayMillis) {
        try {
            check = stream.owner().timer().schedule(stream.loop, this::check, delayMillis);
        } catch (RejectedExecutionException serviceClosed) {
            // the service is closing: it closes this stream too
        }
    }

    private void check() {
        if (!stream.isOpen()) {
            return;
        }
        long idleMillis = (System.nanoTime() - lastActivityNanos) / 1_000_000;
        if (idleMillis >= timeoutMillis) {
            UvHandle.LOG.log(System.Logger.Level.DEBUG, "closing {0}: idle for {1} ms",
                    stream.label(), idleMillis);
            stream.closeOnLoop();
        } else {
            schedule(timeoutMillis - idleMillis);
        }
    }

    /** Stops watching (the stream closed, or got another timeout). */
    void cancel() {
        if (check != null) {
            check.cancel(false);
            check = null;
        }
    }
}
