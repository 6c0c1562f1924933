package dev.uvtcp.service;

import dev.uvtcp.Loop;
import dev.uvtcp.UvException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The loops of a service and what they share: their threads, the pool for copied writes, and
 * the spreading of new handles over them.
 */
public final class LoopGroup {

    private final List<EventLoop> loops;
    private final DirectBufferPool bufferPool = new DirectBufferPool();
    private final AtomicInteger nextLoop = new AtomicInteger();
    /** Connect and idle timeouts of every handle on these loops; its thread starts lazily. */
    private final LoopTimer timer;
    /** The write queue limit new handles start with. */
    private final long maxWriteQueueBytes;

    private LoopGroup(List<EventLoop> loops, TcpServiceSettings settings) {
        this.loops = loops;
        this.timer = new LoopTimer(settings.threadNamePrefix() + "timer");
        this.maxWriteQueueBytes = settings.maxWriteQueueBytes();
    }

    /** Starts the loop threads; on failure the ones already started are stopped again. */
    public static LoopGroup start(TcpServiceSettings settings) throws UvException {
        List<EventLoop> started = new ArrayList<>();
        try {
            for (int i = 0; i < settings.loops(); i++) {
                started.add(EventLoop.start(settings.threadNamePrefix() + i,
                        settings.readBufferSize()));
            }
        } catch (UvException | RuntimeException e) {
            new LoopGroup(started, settings).close();
            throw e;
        }
        return new LoopGroup(List.copyOf(started), settings);
    }

    /** @return every loop, in a fixed order */
    List<EventLoop> eventLoops() {
        return loops;
    }

    /** @return the loop for the next new handle, round robin */
    EventLoop next() {
        return loops.get(Math.floorMod(nextLoop.getAndIncrement(), loops.size()));
    }

    /**
     * Whether the calling thread is a loop thread of this group: {@link EventLoop#current()}
     * narrowed to the group. Any thread.
     *
     * @return the loop whose thread is the calling thread, if one of this group; else null
     */
    public EventLoop current() {
        EventLoop loop = EventLoop.current();
        return loop != null && loops.contains(loop) ? loop : null;
    }

    public List<Loop> loops() {
        return List.copyOf(loops);
    }

    DirectBufferPool bufferPool() {
        return bufferPool;
    }

    /** @return the timeouts of these loops' handles */
    LoopTimer timer() {
        return timer;
    }

    /** @return the write queue limit new handles start with */
    long maxWriteQueueBytes() {
        return maxWriteQueueBytes;
    }

    /**
     * Closes every handle on every loop, stops the loops and waits for their threads to end.
     *
     * @throws IllegalStateException if called on one of the loop threads
     */
    public void close() {
        requireOutsideLoops();
        for (EventLoop loop : loops) {
            loop.stop();
        }
        for (EventLoop loop : loops) {
            loop.awaitTermination();
        }
        timer.close();
    }

    /** @throws IllegalStateException if the calling thread is one of this group's loops */
    public void requireOutsideLoops() {
        EventLoop loop = current();
        if (loop != null) {
            throw new IllegalStateException("a TcpService cannot be closed from its own "
                    + "loop thread " + loop.name() + "; close it from another thread");
        }
    }
}
