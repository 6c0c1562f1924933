package dev.uvtcp.service;

import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * Flow control of one checked stream: the sender may be at most {@code capacity} bytes ahead
 * of what was acknowledged, either by its write completions (the kernel took the bytes; the
 * peer's reading then holds the sender back) or, where a relay in between would queue without
 * bound (an echo server), by the final receiver's checked position.
 *
 * <p>This keeps every write queue on the way far below the service's 64 MiB limit, so a
 * refused write (ENOBUFS) can only happen where a scenario asks for it. The window is soft: a
 * sender checks for room before a chunk, so it may overshoot by one chunk (or one turn of a
 * hand-off).
 *
 * <p>Threading: one writer at a time calls {@link #sent}; any thread calls {@link #ack} and
 * {@link #ackTotal}.
 * A loop-thread sender parks a task with {@link #hasRoomOrPark} and is resumed on its loop;
 * another thread waits in {@link #awaitRoom}.
 */
final class Window {

    private final long capacity;
    private volatile long sent;
    private final AtomicLong acked = new AtomicLong();
    private volatile boolean threadWaiting;
    private final AtomicReference<Runnable> parked = new AtomicReference<>();

    Window(long capacity) {
        this.capacity = capacity;
    }

    boolean hasRoom() {
        return sent - acked.get() < capacity;
    }

    /** The writer of the moment: {@code bytes} more were handed to write. */
    void sent(long bytes) {
        sent += bytes;
    }

    /** Any thread: the receiver (or the write completions) reached {@code total} bytes. */
    void ackTotal(long total) {
        acked.set(total);
        wake();
    }

    /** Any thread: {@code bytes} more were taken (write completions). */
    void ack(long bytes) {
        acked.addAndGet(bytes);
        wake();
    }

    private void wake() {
        if (parked.get() != null) {
            Runnable resume = parked.getAndSet(null);
            if (resume != null) {
                resume.run();
            }
        }
        if (threadWaiting) {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    /**
     * Loop thread: true if there is room; otherwise {@code resume} is handed to {@code loop}
     * once there is, and false is returned (the caller returns and is called again).
     */
    boolean hasRoomOrPark(Executor loop, Runnable resume) {
        if (hasRoom()) {
            return true;
        }
        Runnable task = () -> loop.execute(resume);
        parked.set(task);
        // An ack between the check and the park would otherwise be missed.
        if (hasRoom() && parked.compareAndSet(task, null)) {
            return true;
        }
        return false;
    }

    /**
     * Waits (another thread) until there is room, {@code stop} says so, or the deadline.
     *
     * @throws TimeoutException past the deadline
     */
    void awaitRoom(long deadlineNanos, BooleanSupplier stop)
            throws InterruptedException, TimeoutException {
        if (hasRoom()) {
            return;
        }
        synchronized (this) {
            threadWaiting = true;
            try {
                while (!hasRoom() && !stop.getAsBoolean()) {
                    long left = deadlineNanos - System.nanoTime();
                    if (left <= 0) {
                        throw new TimeoutException("no room in the window: sent " + sent
                                + ", acknowledged " + acked.get());
                    }
                    // The timeout is only a safety net: ack() notifies.
                    wait(Math.max(1, Math.min(10, TimeUnit.NANOSECONDS.toMillis(left))));
                }
            } finally {
                threadWaiting = false;
            }
        }
    }

    @Override
    public String toString() {
        return "window[sent " + sent + ", acked " + acked.get() + ", capacity " + capacity + "]";
    }
}
