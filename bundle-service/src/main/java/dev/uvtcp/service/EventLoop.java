package dev.uvtcp.service;

import dev.uvtcp.Loop;
import dev.uvtcp.ReadHandler;
import dev.uvtcp.UvException;
import dev.uvtcp.jni.IoVectors;
import dev.uvtcp.jni.LoopCallbacks;
import dev.uvtcp.jni.UvNative;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One libuv loop and the thread that runs it.
 *
 * <p>Other threads hand work over through a lock-free queue; a wake-up ({@code uv_async_send})
 * is sent only when the loop is not already due to drain the queue, so a burst of submissions
 * costs one wake-up. The native loop address is only touched on the loop thread, except for the
 * wake-up, which is guarded so that it can never reach a freed loop.
 */
final class EventLoop implements Loop {

    private static final System.Logger LOG = System.getLogger(EventLoop.class.getName());
    /** Tasks run per wake-up before the loop polls I/O again, so I/O is not starved. */
    private static final int TASKS_PER_WAKEUP = 4096;

    private final String name;
    private final Thread thread;
    private final ByteBuffer readBuffer;
    private final ByteBuffer readView;
    /** Where {@link #readBuffer} starts in memory. */
    private final long readBufferAddress;
    /** The target of every up-call of this loop's native layer. */
    private final Upcalls upcalls = new Upcalls(this);
    /**
     * Loop thread: streams whose reading was stopped while a batch of reads was waiting or
     * handed out, each followed by the handler it had (pairs; rare, so a short array; emptied
     * after each batch).
     */
    private Object[] stopped = new Object[4];
    private int stoppedCount;
    /** Loop thread only: the open handles by the id the native layer knows them by. */
    private final HandleTable table = new HandleTable();
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final Object wakeupGuard = new Object();
    /** Loop thread only (its size is read anywhere): the open handles. */
    private final HandleList handles = new HandleList(HandleList.Links.LOOP);
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    /** Loop thread only: scratch arrays for native writes of many segments. */
    private final IoVectors ioVectors = new IoVectors();

    /** Native loop; read and written on the loop thread only (0 before start and after end). */
    private long address;
    /** Guarded by wakeupGuard: whether {@link #address} may receive a wake-up. */
    private boolean wakeable;
    private volatile boolean accepting = true;
    /** The loop whose thread is the current thread; unset on other threads. */
    private static final ThreadLocal<EventLoop> CURRENT = new ThreadLocal<>();
    /**
     * Any thread: the loop this loop's thread is waiting for in {@link #call}, or null; read by
     * other loops' threads to refuse a wait that would close a cycle.
     */
    private volatile EventLoop waitingFor;
    private boolean running = true;

    private EventLoop(String name, int readBufferSize) {
        this.name = name;
        this.readBuffer = ByteBuffer.allocateDirect(readBufferSize);
        this.readView = readBuffer.asReadOnlyBuffer();
        this.readBufferAddress = UvNative.bufferAddress(readBuffer);
        this.thread = new Thread(this::run, name);
    }

    /** Starts a loop thread and waits until its native loop exists. */
    static EventLoop start(String name, int readBufferSize) throws UvException {
        EventLoop loop = new EventLoop(name, readBufferSize);
        loop.thread.start();
        try {
            loop.started.join();
        } catch (CompletionException e) {
            joinUninterruptibly(loop.thread);
            if (e.getCause() instanceof UvException uv) {
                throw uv;
            }
            throw e;
        }
        return loop;
    }

    private void run() {
        CURRENT.set(this);
        long created = UvNative.loopNew(readBuffer, upcalls);
        if (created < 0) {
            accepting = false;
            started.completeExceptionally(UvErrors.exception((int) created, "loop init " + name));
            return;
        }
        address = created;
        synchronized (wakeupGuard) {
            wakeable = true;
        }
        started.complete(null);
        while (running) {
            UvNative.loopRun(address, UvNative.RUN_DEFAULT);
        }
        tearDown();
    }

    private void tearDown() {
        synchronized (wakeupGuard) {
            wakeable = false;
        }
        accepting = false;
        runPendingTasks(Integer.MAX_VALUE);
        for (UvHandle handle : handleList()) {
            handle.closeOnLoop();
        }
        UvNative.loopCloseAll(address);
        for (int attempt = 0; attempt < 100 && address != 0; attempt++) {
            // Runs the close callbacks; returns once nothing is left open.
            UvNative.loopRun(address, UvNative.RUN_DEFAULT);
            if (UvNative.loopDelete(address) == 0) {
                address = 0;
            }
        }
        if (address != 0) {
            LOG.log(System.Logger.Level.ERROR, "loop {0} kept open handles; its memory leaks",
                    name);
        }
        // Tasks that raced with the end: run them so that their callers hear of it.
        runPendingTasks(Integer.MAX_VALUE);
    }

    /** Loop thread: the loop's wake-up fired (see {@link #execute}). */
    private void onWakeup() {
        wakeupPending.set(false);
        if (runPendingTasks(TASKS_PER_WAKEUP) == TASKS_PER_WAKEUP && !tasks.isEmpty()) {
            wakeup();
        }
    }

    private int runPendingTasks(int limit) {
        int ran = 0;
        Runnable task;
        while (ran < limit && (task = tasks.poll()) != null) {
            ran++;
            try {
                task.run();
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.ERROR, "task on loop " + name + " failed", t);
            }
        }
        return ran;
    }

    private void wakeup() {
        if (wakeupPending.compareAndSet(false, true)) {
            synchronized (wakeupGuard) {
                if (wakeable) {
                    UvNative.loopWakeup(address);
                }
            }
        }
    }

    @Override
    public void execute(Runnable task) {
        if (task == null) {
            throw new NullPointerException("task");
        }
        if (!accepting) {
            throw new RejectedExecutionException("loop " + name + " has stopped");
        }
        tasks.add(task);
        if (!accepting && tasks.remove(task)) {
            // The loop ended between the check and the add and will never see this task.
            throw new RejectedExecutionException("loop " + name + " has stopped");
        }
        wakeup();
    }

    /**
     * Runs {@code work} on the loop thread and returns its result: directly when already there,
     * else by handing it over and waiting.
     *
     * <p>Called on another loop's thread, the calling loop waits for this one; if this loop is
     * itself waiting (directly or through further loops) for the calling one, the call throws
     * {@link LoopDeadlockException} instead of deadlocking both.
     *
     * @throws RejectedExecutionException if the loop has stopped
     * @throws LoopDeadlockException if waiting would deadlock
     */
    <T> T call(LoopCallable<T> work) throws UvException {
        if (inLoop()) {
            return work.call();
        }
        EventLoop caller = current();
        if (caller == null) {
            return callAndWait(work);
        }
        caller.waitingFor = this;
        try {
            // Both sides publish before they check, so of two loops about to wait for each
            // other at least one sees the cycle.
            for (EventLoop l = this.waitingFor; l != null; l = l.waitingFor) {
                if (l == caller) {
                    throw new LoopDeadlockException("loop " + caller.name + " cannot wait for "
                            + "loop " + name + ", which is waiting for it: call this from a "
                            + "thread that is not a uvtcp loop, or hand it to the handle's loop "
                            + "with Loop.execute");
                }
            }
            return callAndWait(work);
        } finally {
            caller.waitingFor = null;
        }
    }

    private <T> T callAndWait(LoopCallable<T> work) throws UvException {
        CompletableFuture<T> result = new CompletableFuture<>();
        execute(() -> {
            try {
                result.complete(work.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        try {
            return result.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof UvException uv) {
                throw uv;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    /** Asks the loop to close its handles and end; does not wait. */
    void stop() {
        try {
            execute(() -> {
                running = false;
                UvNative.loopStop(address);
            });
        } catch (RejectedExecutionException alreadyStopped) {
            // nothing left to stop
        }
    }

    /** Waits for the loop thread to end. Must not be called on the loop thread. */
    void awaitTermination() {
        if (inLoop()) {
            throw new IllegalStateException("a loop cannot wait for its own end: call close() "
                    + "from a thread that is not a uvtcp loop thread");
        }
        joinUninterruptibly(thread);
    }

    private static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Loop thread only: the native loop address; 0 once the loop is gone. */
    long address() {
        return address;
    }

    /**
     * Loop thread only: a read-only view of the read buffer showing {@code n} bytes from
     * {@code offset} (its position) on.
     */
    ByteBuffer readView(int offset, int n) {
        readView.limit(offset + n).position(offset);
        return readView;
    }

    /**
     * Loop thread, while reads are waiting or handed out: {@code stream}'s reading was stopped;
     * a read of it in that batch (read before the stop) still goes to {@code handler}.
     */
    void rememberStoppedReader(UvStream stream, ReadHandler handler) {
        if (stoppedCount * 2 == stopped.length) {
            stopped = Arrays.copyOf(stopped, stopped.length * 2);
        }
        stopped[stoppedCount * 2] = stream;
        stopped[stoppedCount * 2 + 1] = handler;
        stoppedCount++;
    }

    /** Loop thread, after a batch of reads: holds on to no stopped stream or handler. */
    void forgetStoppedReaders() {
        if (stoppedCount > 0) {
            Arrays.fill(stopped, 0, stoppedCount * 2, null);
            stoppedCount = 0;
        }
    }

    /**
     * Loop thread, while reads are handed out: the handler a stream had when its reading was
     * stopped while this batch waited or was handed out, or null.
     */
    ReadHandler handlerOfStoppedReader(UvStream stream) {
        for (int i = stoppedCount - 1; i >= 0; i--) {
            if (stopped[i * 2] == stream) {
                return (ReadHandler) stopped[i * 2 + 1];
            }
        }
        return null;
    }

    /** Where the read buffer (and every read view) starts in memory. */
    long readBufferAddress() {
        return readBufferAddress;
    }

    /**
     * Loop thread: a table id for a handle about to be created natively, given to
     * {@code tcpInit}; {@link #forgetHandleId} gives it back if the creation fails.
     */
    int handleIdFor(UvHandle handle) {
        return table.add(handle);
    }

    /** Loop thread: gives back the id of a handle that was not created or has closed. */
    void forgetHandleId(int id) {
        table.remove(id);
    }

    /**
     * The native layer's up-calls for this loop, dispatched to the handle named by its id: a
     * private object, so that neither the loop nor a handle, which users see, carries public
     * up-call methods.
     */
    private static final class Upcalls extends LoopCallbacks {

        private final EventLoop loop;

        Upcalls(EventLoop loop) {
            this.loop = loop;
        }

        @Override
        public void onWakeup() {
            loop.onWakeup();
        }

        @Override
        public void onRead(int handle, long nread, int offset) {
            ((UvStream) loop.table.get(handle)).onRead(nread, offset);
        }

        @Override
        protected void afterReads() {
            loop.forgetStoppedReaders();
        }

        @Override
        public void onWrite(int handle, int requestId, int status) {
            ((UvStream) loop.table.get(handle)).onWrite(requestId, status);
        }

        @Override
        public void onConnect(int handle, int status) {
            ((UvTcp) loop.table.get(handle)).onConnect(status);
        }

        @Override
        public void onShutdown(int handle, int status) {
            ((UvStream) loop.table.get(handle)).onShutdown(status);
        }

        @Override
        public void onConnection(int handle, int status) {
            ((UvStream) loop.table.get(handle)).onConnection(status);
        }

        @Override
        public void onClose(int handle) {
            UvHandle closed = loop.table.get(handle);
            loop.table.remove(handle);
            closed.onClose();
        }
    }

    /** Loop thread: the scratch arrays for one native write of many segments. */
    IoVectors ioVectors() {
        return ioVectors;
    }

    /** @return whether {@code buffer} is this loop's read view (as handed to read handlers) */
    boolean isReadView(ByteBuffer buffer) {
        return buffer == readView;
    }

    /** Loop thread: adds a handle just created on this loop. */
    void register(UvHandle handle) {
        handles.add(handle);
    }

    /** Loop thread: removes a handle that has closed; a handle not registered is ignored. */
    void unregister(UvHandle handle) {
        handles.remove(handle);
    }

    /** Loop thread: a snapshot of the open handles, newest first. */
    List<UvHandle> handleList() {
        return handles.snapshot();
    }

    Thread thread() {
        return thread;
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * Whether the calling thread is this loop's: the same answer as {@code current() == this},
     * without the thread-local lookup (it is asked on every write).
     */
    @Override
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /**
     * The one way to ask "is this a loop thread, and of which loop": every other question
     * ({@link #inLoop()}, {@link LoopGroup#current()}) is this one narrowed.
     *
     * @return the loop whose thread is the calling thread, or null on any other thread
     */
    static EventLoop current() {
        return CURRENT.get();
    }

    @Override
    public boolean isAlive() {
        return callLoopQuery(() -> UvNative.loopAlive(liveAddress()));
    }

    @Override
    public int handleCount() {
        return handles.size();
    }

    @Override
    public long now() {
        return callLoopQuery(() -> UvNative.loopNow(liveAddress()));
    }

    private long liveAddress() {
        if (address == 0) {
            throw new RejectedExecutionException("loop " + name + " has stopped");
        }
        return address;
    }

    private <T> T callLoopQuery(LoopCallable<T> query) {
        try {
            return call(query);
        } catch (UvException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "Loop[" + name + "]";
    }
}
