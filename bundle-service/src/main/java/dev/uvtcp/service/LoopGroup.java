package dev.uvtcp.service;

import dev.uvtcp.Loop;
import dev.uvtcp.UvException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The loops of a service and what they share: their threads, the pool for copied writes, and
 * the spreading of new handles over them.
 */
final class LoopGroup {

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
    static LoopGroup start(TcpServiceSettings settings) throws UvException {
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
        LoopGroup group = new LoopGroup(List.copyOf(started), settings);
        RUNNING.add(group);
        return group;
    }

    /** Every group started and not yet closed, in this class loader (any thread). */
    private static final Set<LoopGroup> RUNNING = ConcurrentHashMap.newKeySet();

    /**
     * Any thread: whether an open handle of a running uvtcp loop (of any service in this
     * class loader) owns descriptor {@code fd}. Asks each loop on its thread, so it costs one
     * round trip per loop and a {@code uv_fileno} per handle: meant for the rare
     * {@code TcpService.open(fd)}, where a second handle on the same descriptor would let one
     * close it under the other, and libuv aborts the process when it then polls it.
     *
     * @throws LoopDeadlockException if called on a loop thread while another loop waits for it
     */
    static boolean descriptorInUse(int fd) {
        for (LoopGroup group : RUNNING) {
            for (EventLoop loop : group.loops) {
                try {
                    if (loop.call(() -> ownsDescriptor(loop, fd))) {
                        return true;
                    }
                } catch (RejectedExecutionException | UvException stopped) {
                    // a loop that has stopped owns nothing
                }
            }
        }
        return false;
    }

    /** Loop thread of {@code loop}. */
    private static boolean ownsDescriptor(EventLoop loop, int fd) {
        for (UvHandle handle : loop.handleList()) {
            if (handle.isOpen() && handle.address != 0
                    && dev.uvtcp.jni.UvNative.fileno(handle.address) == fd) {
                return true;
            }
        }
        return false;
    }

    /** @return every loop, in a fixed order */
    List<EventLoop> eventLoops() {
        return loops;
    }

    /** @return the loop for the next new handle, round robin */
    EventLoop next() {
        return loops.get(Math.floorMod(nextLoop.getAndIncrement(), loops.size()));
    }

    /** @return the loop whose thread is the calling thread, if one of this group; else null */
    EventLoop current() {
        for (EventLoop loop : loops) {
            if (loop.inLoop()) {
                return loop;
            }
        }
        return null;
    }

    List<Loop> loops() {
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
    void close() {
        requireOutsideLoops();
        RUNNING.remove(this);
        for (EventLoop loop : loops) {
            loop.shutdown();
        }
        for (EventLoop loop : loops) {
            loop.awaitTermination();
        }
        timer.close();
    }

    /** @throws IllegalStateException if the calling thread is one of this group's loops */
    void requireOutsideLoops() {
        for (EventLoop loop : loops) {
            if (loop.inLoop()) {
                throw new IllegalStateException("a TcpService cannot be closed from its own "
                        + "loop thread " + loop.name() + "; close it from another thread");
            }
        }
    }
}
