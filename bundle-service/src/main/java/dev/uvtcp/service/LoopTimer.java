package dev.uvtcp.service;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Delayed work for the loops of one {@link LoopGroup}: connect timeouts and idle timeouts.
 *
 * <p>Why not a libuv timer: the JNI layer has no {@code uv_timer} handle, and one would need a
 * new up-call and handle kind in the C glue. Timeouts here are coarse (milliseconds to
 * minutes), so one Java scheduler thread per group that hands each due task to its loop
 * ({@link EventLoop#execute}) is simple and costs one loop wake-up per due task.
 *
 * <p>Threading: {@link #schedule} may be called from any thread; the task runs on the given
 * loop's thread. Lifetime: the scheduler thread (a daemon named {@code <prefix>timer}) is
 * started on first use only, and stopped by {@link #close()} (called by
 * {@link LoopGroup#close()}), which cancels whatever is still scheduled. Tasks due after their
 * loop stopped are dropped.
 */
final class LoopTimer {

    private final String threadName;
    private ScheduledThreadPoolExecutor executor;
    private boolean closed;

    LoopTimer(String threadName) {
        this.threadName = threadName;
    }

    /**
     * Runs {@code task} on {@code loop}'s thread after {@code delayMillis}.
     *
     * @return cancels the task if it has not been handed to the loop yet
     * @throws RejectedExecutionException if the group is closed
     */
    ScheduledFuture<?> schedule(EventLoop loop, Runnable task, long delayMillis) {
        return executor().schedule(() -> {
            try {
                loop.execute(task);
            } catch (RejectedExecutionException loopStopped) {
                // the loop has ended: its handles are closed, nothing is left to time out
            }
        }, delayMillis, TimeUnit.MILLISECONDS);
    }

    private synchronized ScheduledThreadPoolExecutor executor() {
        if (closed) {
            throw new RejectedExecutionException("uvtcp loops have stopped");
        }
        if (executor == null) {
            executor = new ScheduledThreadPoolExecutor(1, runnable -> {
                Thread thread = new Thread(runnable, threadName);
                thread.setDaemon(true);
                return thread;
            });
            executor.setRemoveOnCancelPolicy(true);
            executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        }
        return executor;
    }

    /** Cancels everything scheduled and stops the thread (waits up to 5 s for it). */
    void close() {
        ScheduledThreadPoolExecutor toStop;
        synchronized (this) {
            closed = true;
            toStop = executor;
            executor = null;
        }
        if (toStop != null) {
            toStop.shutdownNow();
            try {
                toStop.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
