package dev.uvtcp.testsupport;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Bounded waits for something another thread or process does (a port opening, a line in a
 * log, a bundle starting): the condition is polled every {@link #POLL} until it holds or the
 * time is up.
 *
 * <p>Not for asserting that something does <em>not</em> happen: waiting proves nothing there.
 * Such a check needs a round trip through whoever would have made it happen (a ping on the
 * same connection, a task on the same loop), and then one look.
 *
 * <p>Thread safety: static methods, nothing shared; the condition runs on the calling thread.
 */
public final class Await {

    /** Between two looks at the condition. */
    public static final Duration POLL = Duration.ofMillis(20);

    /**
     * Asked between two looks at a condition: a reason to give up at once (the process that
     * should make the condition true has ended), or null to keep waiting.
     */
    @FunctionalInterface
    public interface Abort {
        /**
         * @return why waiting is pointless, or null to keep waiting
         */
        String reason();
    }

    /** Never aborts. */
    public static final Abort NEVER = () -> null;

    private Await() {
    }

    /**
     * Waits until {@code condition} holds.
     *
     * @param what what is awaited, for the failure message
     * @param timeout how long at most
     * @param condition polled on the calling thread
     * @throws InterruptedException if interrupted while waiting
     * @throws AssertionError if the condition did not hold within the timeout
     */
    public static void until(String what, Duration timeout, BooleanSupplier condition)
            throws InterruptedException {
        until(what, timeout, condition, NEVER);
    }

    /**
     * Waits until {@code condition} holds, unless {@code abort} gives a reason to stop first.
     *
     * @param what what is awaited, for the failure message
     * @param timeout how long at most
     * @param condition polled on the calling thread
     * @param abort asked after each look that found the condition false
     * @throws InterruptedException if interrupted while waiting
     * @throws AssertionError if the condition did not hold within the timeout, or
     *     {@code abort} gave a reason (the message has both)
     */
    public static void until(String what, Duration timeout, BooleanSupplier condition,
            Abort abort) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (condition.getAsBoolean()) {
                return;
            }
            // After the condition: what a process did just before it ended still counts.
            String reason = abort.reason();
            if (reason != null) {
                throw new AssertionError("gave up waiting for " + what + ": " + reason);
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + timeout.toMillis() + " ms: " + what);
            }
            Thread.sleep(POLL.toMillis());
        }
    }
}
