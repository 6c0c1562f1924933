package dev.uvtcp.service;

import dev.uvtcp.Stream;
import dev.uvtcp.UvException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.zip.CRC32C;

/**
 * Writes one {@link BytePattern} stream into a uvtcp {@link Stream} through one write path, in
 * random chunk sizes (1 byte to 256 KiB), held back by a {@link Window}.
 *
 * <p>Buffers are treated as the API allows and no better: heap and read-only direct buffers
 * are overwritten with garbage as soon as {@code write} returns (they are copied or borrowed);
 * writable direct buffers are reused only once their write's stage completed.
 *
 * <p>Every write's stream range and outcome are logged, so that a stream cut short by a
 * refused write, {@code shutdown()} or {@code close()} can be checked to be an exact prefix of
 * what was written: at least every write up to the first failure, at most up to the end of
 * the first failed write.
 *
 * <p>Threading: the loop paths run on the stream's loop thread; the thread paths on one
 * thread the scenario starts ({@link #runOnThisThread}); the hand-off paths on both, one at a
 * time, each hand-off ordering the two.
 */
final class PatternSender {

    /** How the bytes are written: the write path under test. */
    enum Path {
        LOOP_DIRECT(true, "direct buffers written on the loop thread"),
        LOOP_HEAP(true, "heap buffers (copied into pooled direct memory) written on the loop"
                + " thread"),
        LOOP_WRITEV(true, "writev of 1-20 pieces (heap, direct, read-only direct) on the loop"
                + " thread"),
        LOOP_TRY_WRITE(true, "tryWrite, then write of the rest, on the loop thread"),
        THREAD_HEAP(false, "heap buffers written from a non-loop thread"),
        THREAD_DIRECT(false, "direct buffers written from a non-loop thread"),
        THREAD_WRITEV(false, "writev of 1-20 heap and direct pieces from a non-loop thread"),
        THREAD_TRY_WRITE(false, "tryWrite, then write of the rest, from a non-loop thread"),
        THREAD_READ_ONLY(false, "read-only direct buffers (borrowed, reused once write"
                + " returns) written from a non-loop thread"),
        HAND_OFF_EXECUTE(false, "one writer alternating between a non-loop thread and the loop"
                + " thread, handing off through Loop.execute"),
        HAND_OFF_QUEUE(false, "one writer alternating between a non-loop thread and the loop"
                + " thread, handing off through a queue the loop polls when a write completes");

        final boolean onLoop;
        final String description;

        Path(boolean onLoop, String description) {
            this.onLoop = onLoop;
            this.description = description;
        }
    }

    private static final int MAX_CHUNK = 256 * 1024;
    private static final Object BATON = new Object();

    final Stream stream;
    final long seed;
    final long total;
    final Path path;
    private final Window window;
    /** Whether write completions acknowledge the window (else the final receiver does). */
    private final boolean completionsAck;
    private final boolean shutdownWhenDone;
    private final SplittableRandom random;
    private final CRC32C crc = new CRC32C();
    private final WriteLog log;
    /** Sender-owned direct buffers by size class (1 KiB << i), reused after their stage. */
    private final List<ConcurrentLinkedQueue<ByteBuffer>> directFree = new ArrayList<>();
    /**
     * Overwritten with garbage right after each write that used them; made on first use (a
     * race scenario makes thousands of senders).
     */
    private byte[] heapScratchArray;
    private ByteBuffer readOnlyScratchBuffer;
    private final BlockingQueue<Object> toThread = new LinkedBlockingQueue<>();
    private final ConcurrentLinkedQueue<Object> toLoop = new ConcurrentLinkedQueue<>();

    /** The writer of the moment (one at a time): stream bytes handed to write so far. */
    private volatile long sent;
    private final AtomicLong settledBytes = new AtomicLong();
    private final WriteTally tally = new WriteTally();
    private final AtomicLong writes = new AtomicLong();
    /** Set once a write failed or the scenario stops: nothing more is written. */
    private final AtomicBoolean stopped = new AtomicBoolean();
    private volatile boolean pumping;
    /** Completes once every write handed over has completed or failed, and no more come. */
    final CompletableFuture<Void> settled = new CompletableFuture<>();
    private volatile boolean lastWriteIssued;

    /**
     * @param completionsAck true: the window is acknowledged by write completions; false: by
     *     the receiver (an echo)
     * @param keepLog true to log every write (for prefix checks of cut streams)
     */
    PatternSender(Stream stream, long seed, long total, Path path, Window window,
            boolean completionsAck, boolean shutdownWhenDone, boolean keepLog) {
        this.stream = stream;
        this.seed = seed;
        this.total = total;
        this.path = path;
        this.window = window;
        this.completionsAck = completionsAck;
        this.shutdownWhenDone = shutdownWhenDone;
        this.random = new SplittableRandom(seed);
        this.log = keepLog ? new WriteLog() : null;
        for (int i = 0; i < 9; i++) {
            directFree.add(new ConcurrentLinkedQueue<>());
        }
    }

    // ---- starting ----

    /** Loop paths: starts pumping on the stream's loop. Thread paths: use runOnThisThread. */
    void startOnLoop() {
        if (!path.onLoop) {
            throw new IllegalStateException(path + " runs on its own thread");
        }
        stream.loop().execute(this::pump);
    }

    /**
     * Thread and hand-off paths: writes on the calling thread (and, for hand-offs, on the
     * loop) until done, stopped or the deadline.
     */
    void runOnThisThread(long deadlineNanos, BooleanSupplier scenarioStopped)
            throws InterruptedException, TimeoutException {
        if (path.onLoop) {
            throw new IllegalStateException(path + " runs on the loop");
        }
        BooleanSupplier stop = () -> stopped.get() || scenarioStopped.getAsBoolean();
        while (sent < total && !stop.getAsBoolean()) {
            window.awaitRoom(deadlineNanos, stop);
            if (stop.getAsBoolean()) {
                break;
            }
            if (path == Path.HAND_OFF_EXECUTE || path == Path.HAND_OFF_QUEUE) {
                int turn = 1 + random.nextInt(3);
                for (int i = 0; i < turn && sent < total && !stopped.get(); i++) {
                    threadChunk(pickThreadPath());
                }
                if (sent >= total || stopped.get()) {
                    break;
                }
                handToLoopAndWait(deadlineNanos, stop);
            } else {
                threadChunk(path);
            }
        }
        if (sent < total) {
            stopped.set(true);
        }
        finishIssuing();
    }

    /** Stops writing (a failure elsewhere, or the scenario's end). */
    void stop() {
        stopped.set(true);
    }

    // ---- the loop pump ----

    private void pump() {
        if (pumping) {
            return;
        }
        pumping = true;
        try {
            while (sent < total && !stopped.get()) {
                if (!window.hasRoomOrPark(stream.loop(), this::pump)) {
                    return;
                }
                loopChunk(path);
            }
            finishIssuing();
        } finally {
            pumping = false;
        }
    }

    private void finishIssuing() {
        if (lastWriteIssued) {
            return;
        }
        lastWriteIssued = true;
        if (shutdownWhenDone && !stopped.get()) {
            stream.shutdown();
        }
        settleIfDone();
    }

    // ---- hand-off between a thread and the loop ----

    private void handToLoopAndWait(long deadlineNanos, BooleanSupplier stop)
            throws InterruptedException, TimeoutException {
        if (path == Path.HAND_OFF_EXECUTE) {
            // Loop.execute runs tasks in order: this thread's writes, queued before, go first.
            stream.loop().execute(this::loopTurn);
        } else {
            toLoop.add(BATON);
        }
        long fallbackAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2);
        while (toThread.poll(1, TimeUnit.MILLISECONDS) == null) {
            if (stop.getAsBoolean()) {
                return;
            }
            if (System.nanoTime() > deadlineNanos) {
                throw new TimeoutException("the loop did not hand the writer back: " + this);
            }
            if (path == Path.HAND_OFF_QUEUE && System.nanoTime() > fallbackAt) {
                // No write completed to poll the queue: let a task poll it.
                stream.loop().execute(this::pollBaton);
                fallbackAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2);
            }
        }
    }

    /** Loop thread: the loop's turn of a hand-off writer. */
    private void loopTurn() {
        int turn = 1 + random.nextInt(3);
        for (int i = 0; i < turn && sent < total && !stopped.get(); i++) {
            loopChunk(pickLoopPath());
        }
        toThread.add(BATON);
    }

    /** Loop thread: takes the baton if the thread has put it down. */
    private void pollBaton() {
        if (toLoop.poll() != null) {
            loopTurn();
        }
    }

    private Path pickThreadPath() {
        switch (random.nextInt(4)) {
            case 0: return Path.THREAD_HEAP;
            case 1: return Path.THREAD_DIRECT;
            case 2: return Path.THREAD_WRITEV;
            default: return Path.THREAD_TRY_WRITE;
        }
    }

    private Path pickLoopPath() {
        switch (random.nextInt(4)) {
            case 0: return Path.LOOP_HEAP;
            case 1: return Path.LOOP_DIRECT;
            case 2: return Path.LOOP_WRITEV;
            default: return Path.LOOP_TRY_WRITE;
        }
    }

    // ---- chunks ----

    private int nextChunkSize() {
        int kind = random.nextInt(20);
        int size;
        if (kind == 0) {
            size = 1 + random.nextInt(128);
        } else if (kind < 16) {
            size = 1 + random.nextInt(64 * 1024);
        } else if (kind < 18) {
            size = 64 * 1024;
        } else {
            size = 64 * 1024 + 1 + random.nextInt(MAX_CHUNK - 64 * 1024);
        }
        return (int) Math.min(size, total - sent);
    }

    private void loopChunk(Path how) {
        int n = nextChunkSize();
        switch (how) {
            case LOOP_DIRECT -> writeDirect(n);
            case LOOP_HEAP -> writeHeap(n);
            case LOOP_WRITEV -> writeV(n, true);
            case LOOP_TRY_WRITE -> tryWriteThenWrite(n);
            default -> throw new IllegalArgumentException(how.toString());
        }
    }

    private void threadChunk(Path how) {
        int n = nextChunkSize();
        switch (how) {
            case THREAD_HEAP -> writeHeap(n);
            case THREAD_DIRECT -> writeDirect(n);
            case THREAD_WRITEV -> writeV(n, false);
            case THREAD_TRY_WRITE -> tryWriteThenWrite(n);
            case THREAD_READ_ONLY -> writeReadOnly(n);
            default -> throw new IllegalArgumentException(how.toString());
        }
    }

    private void writeDirect(int n) {
        ByteBuffer buffer = takeDirect(n);
        BytePattern.fill(seed, sent, buffer, 0, n);
        crc.update(buffer.duplicate());
        issue(n, stream.write(buffer), buffer);
    }

    private void writeHeap(int n) {
        byte[] heapScratch = heapScratch();
        BytePattern.fill(seed, sent, heapScratch, 0, n);
        crc.update(heapScratch, 0, n);
        CompletionStage<Void> stage = stream.write(ByteBuffer.wrap(heapScratch, 0, n));
        Arrays.fill(heapScratch, 0, n, (byte) 0xEE); // heap buffers are copied: reuse at once
        issue(n, stage, null);
    }

    private void writeReadOnly(int n) {
        ByteBuffer readOnlyScratch = readOnlyScratch();
        BytePattern.fill(seed, sent, readOnlyScratch, 0, n);
        ByteBuffer view = readOnlyScratch.asReadOnlyBuffer().limit(n);
        crc.update(view.duplicate());
        CompletionStage<Void> stage = stream.write(view);
        scribble(readOnlyScratch, n); // borrowed: the rest was copied before write returned
        issue(n, stage, null);
    }

    /**
     * Several pieces in one write: heap pieces from the heap scratch, direct pieces of their
     * own, and (on the loop) read-only views of the read-only scratch; some pieces empty.
     */
    private void writeV(int n, boolean readOnlyAllowed) {
        byte[] heapScratch = heapScratch();
        ByteBuffer readOnlyScratch = readOnlyAllowed ? readOnlyScratch() : null;
        int pieces = 1 + random.nextInt(random.nextInt(8) == 0 ? 20 : 4);
        ByteBuffer[] buffers = new ByteBuffer[pieces];
        ByteBuffer[] direct = new ByteBuffer[pieces];
        int left = n;
        int heapUsed = 0;
        int readOnlyUsed = 0;
        long at = sent;
        for (int i = 0; i < pieces; i++) {
            int size = i == pieces - 1 ? left
                    : random.nextInt(6) == 0 ? 0 : random.nextInt(left + 1);
            left -= size;
            int kind = random.nextInt(readOnlyAllowed ? 3 : 2);
            if (kind == 0) {
                BytePattern.fill(seed, at, heapScratch, heapUsed, size);
                buffers[i] = ByteBuffer.wrap(heapScratch, heapUsed, size);
                heapUsed += size;
            } else if (kind == 1) {
                direct[i] = takeDirect(size);
                BytePattern.fill(seed, at, direct[i], 0, size);
                buffers[i] = direct[i];
            } else {
                BytePattern.fill(seed, at, readOnlyScratch, readOnlyUsed, size);
                buffers[i] = readOnlyScratch.asReadOnlyBuffer().position(readOnlyUsed)
                        .limit(readOnlyUsed + size);
                readOnlyUsed += size;
            }
            crc.update(buffers[i].duplicate());
            at += size;
        }
        CompletionStage<Void> stage = stream.write(buffers);
        Arrays.fill(heapScratch, 0, heapUsed, (byte) 0xEE);
        if (readOnlyScratch != null) {
            scribble(readOnlyScratch, readOnlyUsed);
        }
        issue(n, stage, direct);
    }

    private void tryWriteThenWrite(int n) {
        byte[] heapScratch = heapScratch();
        boolean direct = random.nextBoolean();
        ByteBuffer buffer;
        if (direct) {
            buffer = takeDirect(n);
            BytePattern.fill(seed, sent, buffer, 0, n);
        } else {
            BytePattern.fill(seed, sent, heapScratch, 0, n);
            buffer = ByteBuffer.wrap(heapScratch, 0, n);
        }
        crc.update(buffer.duplicate());
        int took;
        try {
            took = stream.tryWrite(buffer);
        } catch (UvException | RuntimeException e) {
            // Refused at once (e.g. after shutdown or close): nothing of it went out.
            issue(n, CompletableFuture.failedStage(e), direct ? buffer : null);
            return;
        }
        if (took < 0 || took != buffer.position()) {
            throw new AssertionError("tryWrite returned " + took + " but advanced the buffer to "
                    + buffer.position());
        }
        if (buffer.hasRemaining()) {
            CompletionStage<Void> rest = stream.write(buffer);
            if (!direct) {
                Arrays.fill(heapScratch, 0, n, (byte) 0xEE);
            }
            issueSplit(n, took, rest, direct ? buffer : null);
        } else {
            if (direct) {
                giveDirect(buffer);
            }
            issue(n, CompletableFuture.completedStage(null), null);
        }
    }

    // ---- bookkeeping ----

    /** The writer of the moment only (hand-offs order the threads). */
    private byte[] heapScratch() {
        if (heapScratchArray == null) {
            heapScratchArray = new byte[MAX_CHUNK];
        }
        return heapScratchArray;
    }

    private ByteBuffer readOnlyScratch() {
        if (readOnlyScratchBuffer == null) {
            readOnlyScratchBuffer = ByteBuffer.allocateDirect(MAX_CHUNK);
        }
        return readOnlyScratchBuffer;
    }

    private ByteBuffer takeDirect(int n) {
        int sizeClass = Math.max(0, 32 - Integer.numberOfLeadingZeros(Math.max(1, n - 1)) - 10);
        ByteBuffer buffer = directFree.get(sizeClass).poll();
        if (buffer == null) {
            buffer = ByteBuffer.allocateDirect(1024 << sizeClass);
        }
        return buffer.clear().limit(n);
    }

    private void giveDirect(ByteBuffer buffer) {
        int capacity = buffer.capacity();
        int sizeClass = 31 - Integer.numberOfLeadingZeros(capacity) - 10;
        scribble(buffer.clear(), capacity);
        directFree.get(sizeClass).add(buffer);
    }

    private static void scribble(ByteBuffer buffer, int n) {
        for (int i = 0; i + 8 <= n; i += 8) {
            buffer.putLong(i, 0xEEEEEEEEEEEEEEEEL);
        }
    }

    private void issue(int n, CompletionStage<Void> stage, Object ownDirect) {
        issueSplit(n, 0, stage, ownDirect);
    }

    /**
     * A write of stream bytes {@code sent .. sent + n}, of which {@code alreadyTaken} went out
     * synchronously (tryWrite) and the rest completes with {@code stage}.
     */
    private void issueSplit(int n, int alreadyTaken, CompletionStage<Void> stage,
            Object ownDirect) {
        long start = sent;
        long end = start + n;
        int entry = log == null ? -1 : log.add(start, end);
        sent = end;
        window.sent(n);
        writes.incrementAndGet();
        if (completionsAck && alreadyTaken > 0) {
            window.ack(alreadyTaken);
        }
        stage.whenComplete((ignored, error) -> {
            if (ownDirect instanceof ByteBuffer buffer) {
                giveDirect(buffer);
            } else if (ownDirect instanceof ByteBuffer[] buffers) {
                for (ByteBuffer b : buffers) {
                    if (b != null) {
                        giveDirect(b);
                    }
                }
            }
            tally.record(n, error);
            if (error != null) {
                stopped.set(true);
            }
            if (log != null) {
                log.settle(entry, error == null);
            }
            if (completionsAck) {
                window.ack(n - alreadyTaken);
            }
            settledBytes.addAndGet(n);
            settleIfDone();
            if (path == Path.HAND_OFF_QUEUE && stream.loop().inLoop()) {
                pollBaton(); // a write completed: the loop looks for the writer's baton
            }
        });
    }

    private void settleIfDone() {
        if (lastWriteIssued && settledBytes.get() == sent) {
            settled.complete(null);
        }
    }

    // ---- results ----

    long sent() {
        return sent;
    }

    /** CRC-32C of every byte handed to write; only once {@link #settled}. */
    long crc() {
        return crc.getValue();
    }

    long okBytes() {
        return tally.okBytes();
    }

    long writes() {
        return writes.get();
    }

    long failedWrites() {
        return tally.failedWrites();
    }

    Throwable firstFailure() {
        return tally.firstFailure();
    }

    /** Bytes of the writes before the first failed one: the peer must receive these. */
    long okPrefix() {
        return log == null ? tally.okBytes() : log.okPrefix();
    }

    /** End of the first failed write (or everything sent): the peer can receive no more. */
    long possibleEnd() {
        return log == null ? sent : log.possibleEnd(sent);
    }

    @Override
    public String toString() {
        return "sender[" + path + ", seed " + Long.toHexString(seed) + ", sent " + sent + " of "
                + total + ", " + writes.get() + " writes, " + tally + ", " + window + "]";
    }

    /** The stream range and outcome of every write, in stream order. */
    private static final class WriteLog {
        private long[] ends = new long[1024];
        private byte[] outcomes = new byte[1024];
        private int size;

        synchronized int add(long start, long end) {
            if (size == ends.length) {
                ends = Arrays.copyOf(ends, size * 2);
                outcomes = Arrays.copyOf(outcomes, size * 2);
            }
            ends[size] = end;
            return size++;
        }

        synchronized void settle(int entry, boolean ok) {
            outcomes[entry] = (byte) (ok ? 1 : 2);
        }

        synchronized long okPrefix() {
            long end = 0;
            for (int i = 0; i < size && outcomes[i] == 1; i++) {
                end = ends[i];
            }
            return end;
        }

        synchronized long possibleEnd(long sent) {
            for (int i = 0; i < size; i++) {
                if (outcomes[i] != 1) {
                    return ends[i];
                }
            }
            return sent;
        }
    }
}
