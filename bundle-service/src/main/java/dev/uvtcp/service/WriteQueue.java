package dev.uvtcp.service;

import dev.uvtcp.HandleClosedException;
import dev.uvtcp.UvException;
import dev.uvtcp.jni.ErrorCodes;
import dev.uvtcp.jni.IoVectors;
import dev.uvtcp.jni.UvNative;
import java.nio.ByteBuffer;
import java.util.concurrent.RejectedExecutionException;

/**
 * The one owner of a stream's pending writes: their order, the memory they hold, the count the
 * write queue limit checks, and failing them when the stream closes (the role of Netty's
 * {@code ChannelOutboundBuffer}).
 *
 * <p>A write is added on the caller's thread: what it has to copy (heap buffers, read-only
 * direct buffers such as a loop's read view) is copied at once, packed into shared
 * {@link WriteBlock}s, so that queued writes hold little more memory than their bytes; the
 * caller's own direct buffers are kept as they are. Adding is serialized by this object's lock,
 * which fixes the order of writes from several threads. The loop thread then hands what waits
 * to libuv, each as one {@code uv_write} (writev of its segments), and ends each write when
 * libuv is done with it.
 *
 * <p>A write refused because the limit or direct memory ran out fails with ENOBUFS, and so does
 * every later write: sending them would leave a hole in the stream, and a peer must only ever
 * receive an exact prefix of what was written.
 */
final class WriteQueue {

    /** A new block is at least this fraction of what is held, so blocks grow with the queue. */
    private static final int BLOCK_GROWTH_DIVISOR = 16;

    private final UvStream stream;
    private final DirectBufferPool memory;

    // Guarded by this:
    /**
     * Direct memory held: every live block whole, and the callers' direct buffers queued.
     * Written under the lock; volatile for {@link #heldBytes()}, which reads it without.
     */
    private volatile long heldBytes;
    private WriteBlock tail;
    private PendingWrite lastWaiting;
    private boolean flushScheduled;
    private boolean closed;

    // Written under the lock; volatile for the checks that read them without it:
    /** The oldest write not yet handed to libuv, or null. */
    private volatile PendingWrite firstWaiting;
    /** Set when shutdown() was called: later writes fail with EPIPE, as libuv answers then. */
    private volatile boolean shutDown;
    /** The refusal every write gets once one was refused, or null. */
    private volatile UvException refusal;

    // Loop thread only:
    /** Writes handed to libuv and not yet called back, oldest first. */
    private PendingWrite oldestInFlight;
    private PendingWrite newestInFlight;
    private int nextWriteId;

    WriteQueue(UvStream stream, DirectBufferPool memory) {
        this.stream = stream;
        this.memory = memory;
    }

    /**
     * Loop thread: whether a write may go to the kernel directly, overtaking nothing: nothing
     * waits, nothing is in flight, nothing was refused.
     */
    boolean idleOnLoop() {
        return oldestInFlight == null && firstWaiting == null && refusal == null && !shutDown;
    }

    /**
     * Any thread, when {@code shutdown()} is called: the writes added so far go out before the
     * shutdown; every write added later fails with EPIPE. Marked here, at the call, because the
     * shutdown itself runs later on the loop, after writes other threads may add meanwhile.
     */
    synchronized void shutdownCalled() {
        shutDown = true; // under the lock: a concurrent add is wholly before or after it
    }

    /** Any thread: whether {@link #shutdownCalled()} was. */
    boolean shutDown() {
        return shutDown;
    }

    /** Any thread: the error every write gets once one was refused; null if none was. */
    UvException refusal() {
        return refusal;
    }

    /** Any thread: the direct memory held by the writes of this queue now, in bytes. */
    long heldBytes() {
        return heldBytes;
    }

    /**
     * Any thread: adds a write of the bytes between position and limit of each buffer and
     * advances every position to its limit. On the loop thread the caller then calls
     * {@link #flush}; from any other thread a flush is scheduled on the loop.
     *
     * @return the write; its future has already failed if the write was refused
     */
    PendingWrite add(ByteBuffer[] source) {
        long copyBytes = 0;
        long directBytes = 0;
        for (ByteBuffer buffer : source) {
            if (isBorrowedOrHeap(buffer)) {
                copyBytes += buffer.remaining();
            } else {
                directBytes += buffer.remaining();
            }
        }
        PendingWrite write = new PendingWrite(source.length);
        write.payload = copyBytes + directBytes;
        Throwable refusedNow;
        boolean scheduleFlush = false;
        synchronized (this) {
            refusedNow = admit(write.payload, copyBytes, directBytes);
            if (refusedNow == null) {
                if (fill(write, source, copyBytes)) {
                    if (lastWaiting == null) {
                        firstWaiting = write;
                    } else {
                        lastWaiting.next = write;
                    }
                    lastWaiting = write;
                    if (!flushScheduled && !stream.loop.inLoop()) {
                        flushScheduled = true;
                        scheduleFlush = true;
                    }
                } else {
                    release(write);
                    refusedNow = refuse(write.payload, "the JVM's direct memory is exhausted "
                            + "(-XX:MaxDirectMemorySize)");
                }
            }
        }
        for (ByteBuffer buffer : source) {
            buffer.position(buffer.limit());
        }
        if (refusedNow != null) {
            write.future.completeExceptionally(refusedNow);
        } else if (scheduleFlush) {
            scheduleFlush();
        }
        return write;
    }

    private static boolean isBorrowedOrHeap(ByteBuffer buffer) {
        return !buffer.isDirect() || buffer.isReadOnly();
    }

    /** Under the lock: the reason to refuse a write, or null to take it. */
    private Throwable admit(long payload, long copyBytes, long directBytes) {
        if (closed) {
            return new HandleClosedException("write on " + stream.label()
                    + ": handle closed before the write was queued");
        }
        if (shutDown) {
            return UvErrors.exception(ErrorCodes.EPIPE, "write to " + stream.label()
                    + " after shutdown()");
        }
        if (refusal != null) {
            return UvErrors.exception(ErrorCodes.ENOBUFS, "write of " + payload + " bytes to "
                    + stream.label() + " refused: an earlier write was refused ("
                    + refusal.getMessage() + "), and a later one must not leave a gap");
        }
        long limit = stream.maxWriteQueueSize();
        long needed = heldBytes + directBytes + newBlockBytes(copyBytes);
        if (needed > limit) {
            return refuse(payload, heldBytes + " bytes are held for queued writes, this one "
                    + "needs " + (needed - heldBytes) + " more, and the write queue limit is "
                    + limit);
        }
        return null;
    }

    /** Under the lock: makes the refusal that this and every later write gets. */
    private UvException refuse(long payload, String why) {
        refusal = UvErrors.exception(ErrorCodes.ENOBUFS, "write of " + payload + " bytes to "
                + stream.label() + " refused: " + why);
        return refusal;
    }

    /** Under the lock: the bytes of the blocks that copying {@code copyBytes} would add. */
    private long newBlockBytes(long copyBytes) {
        long left = copyBytes - (tail == null ? 0 : tail.free());
        long added = 0;
        while (left > 0) {
            int capacity = nextBlockCapacity(left, heldBytes + added);
            added += capacity;
            left -= capacity;
        }
        return added;
    }

    private static int nextBlockCapacity(long bytesToCopy, long held) {
        return DirectBufferPool.blockSizeFor(Math.max(bytesToCopy, held / BLOCK_GROWTH_DIVISOR));
    }

    /**
     * Under the lock: the write's segments, copying what must be copied into blocks.
     *
     * @return false if direct memory ran out (what was taken is then released with the write)
     */
    private boolean fill(PendingWrite write, ByteBuffer[] source, long copyBytes) {
        long copyLeft = copyBytes;
        for (ByteBuffer buffer : source) {
            int length = buffer.remaining();
            if (length == 0) {
                continue;
            }
            if (!isBorrowedOrHeap(buffer)) {
                write.addSegment(UvNative.bufferAddress(buffer) + buffer.position(), length);
                write.holdDirect(buffer);
                write.directBytes += length;
                heldBytes += length;
                continue;
            }
            int from = buffer.position();
            while (length > 0) {
                if (tail == null || tail.free() == 0) {
                    int capacity = nextBlockCapacity(copyLeft, heldBytes);
                    ByteBuffer block = memory.take(capacity);
                    if (block == null) {
                        return false;
                    }
                    tail = new WriteBlock(block);
                    heldBytes += capacity;
                }
                int step = Math.min(length, tail.free());
                tail.memory.put(tail.used, buffer, from, step);
                write.useBlock(tail);
                write.addSegment(tail.address + tail.used, step);
                tail.used += step;
                from += step;
                length -= step;
                copyLeft -= step;
            }
        }
        return true;
    }

    /** Under the lock: gives back what an ended write held. */
    private void release(PendingWrite write) {
        heldBytes -= write.directBytes;
        write.directBytes = 0;
        for (int i = 0; i < write.blockCount; i++) {
            WriteBlock block = write.blocks[i];
            if (--block.writers == 0) {
                heldBytes -= block.memory.capacity();
                if (tail == block) {
                    tail = null;
                }
                memory.give(block.memory);
            }
        }
        write.blocks = null;
        write.blockCount = 0;
        write.direct = null;
        write.directCount = 0;
    }

    private void scheduleFlush() {
        try {
            stream.loop.execute(this::flush);
        } catch (RejectedExecutionException loopGone) {
            failWaiting(new HandleClosedException("write on " + stream.label()
                    + ": its TcpService has been closed"));
        }
    }

    /** Waiting writes handed to libuv by one {@link #flush}, at most; then it yields. */
    private static final int WRITES_PER_FLUSH = 1024;

    /**
     * Loop thread: hands the waiting writes to libuv, in order, taking them from the head of
     * the queue one at a time. One at a time because a write may end inside this call (the
     * kernel took it whole) and its stage's callbacks may write again on this thread: that
     * later write must still find the writes not yet handed over ahead of it, not overtake
     * them through the fast path.
     */
    void flush() {
        synchronized (this) {
            flushScheduled = false;
        }
        for (int handed = 0; ; handed++) {
            PendingWrite head;
            boolean yieldToIo = false;
            synchronized (this) {
                head = firstWaiting;
                if (head == null) {
                    return;
                }
                if (handed == WRITES_PER_FLUSH) {
                    // The rest in a later task, so that I/O is not starved.
                    yieldToIo = !flushScheduled;
                    flushScheduled = true;
                    head = null;
                } else {
                    firstWaiting = head.next;
                    if (firstWaiting == null) {
                        lastWaiting = null;
                    }
                    head.next = null;
                }
            }
            if (head == null) {
                if (yieldToIo) {
                    scheduleFlush();
                }
                return;
            }
            if (stream.isOpen()) {
                submit(head);
            } else {
                end(head, new HandleClosedException("write on " + stream.label()
                        + ": handle closed before the write was sent"));
            }
        }
    }

    /**
     * Loop thread: one native write of the segments of {@code write}.
     *
     * <p>One {@code uv_write} per write, not one for several: libuv reports a request done or
     * cancelled as a whole, so a request per write is what keeps each stage exact (a write the
     * kernel took completes, one it did not fails with ECANCELED on close), as in libuv.
     */
    private void submit(PendingWrite write) {
        IoVectors vectors = stream.loop.ioVectors();
        addSegments(vectors, write);
        int id = nextWriteId++;
        boolean tryFirst = oldestInFlight == null;
        int result;
        try {
            result = UvNative.write(stream.address, id, vectors.address(), vectors.count(),
                    tryFirst);
        } finally {
            vectors.clear();
        }
        if (result == UvNative.WRITE_DONE) {
            end(write, null);
        } else if (result == UvNative.WRITE_QUEUED) {
            write.writeId = id;
            if (newestInFlight == null) {
                oldestInFlight = write;
            } else {
                newestInFlight.next = write;
            }
            newestInFlight = write;
        } else {
            end(write, stream.writeError(result));
        }
    }

    private static void addSegments(IoVectors vectors, PendingWrite write) {
        for (int i = 0; i < write.segments; i++) {
            vectors.add(write.addresses[i], write.lengths[i]);
        }
    }

    /** Loop thread: libuv finished the native write {@code writeId} (0 or an error code). */
    void onWrite(int writeId, int status) {
        PendingWrite first = oldestInFlight;
        if (first == null || first.writeId != writeId) {
            UvHandle.LOG.log(System.Logger.Level.ERROR, "write completion " + writeId + " on "
                    + stream.label() + " does not match the oldest pending write "
                    + (first == null ? "(none)" : first.writeId) + "; writes may be lost");
            if (first == null) {
                return;
            }
        }
        oldestInFlight = first.next; // one request per write: the oldest is the one done
        if (oldestInFlight == null) {
            newestInFlight = null;
        }
        first.next = null;
        end(first, status == 0 ? null : stream.writeError(status));
    }

    /**
     * Loop thread: the stream starts closing. Writes not handed to libuv fail now, and every
     * later one is refused; libuv cancels those in flight (ECANCELED) before its close
     * callback.
     */
    void close() {
        failWaiting(new HandleClosedException("write on " + stream.label()
                + ": handle closed before the write was sent"));
    }

    /** Loop thread, after the close callback: fails what libuv did not call back (a safety net). */
    void afterClose() {
        close();
        PendingWrite first = oldestInFlight;
        oldestInFlight = null;
        newestInFlight = null;
        if (first != null) {
            end(first, new HandleClosedException("write on " + stream.label()
                    + ": handle closed before the write completed"));
        }
    }

    private void failWaiting(Throwable reason) {
        PendingWrite first;
        synchronized (this) {
            closed = true;
            first = firstWaiting;
            firstWaiting = null;
            lastWaiting = null;
        }
        if (first != null) {
            end(first, reason);
        }
    }

    /**
     * Ends a list of writes, in order: their memory is given back first (under the lock), then
     * their futures complete (outside it: a callback may write again).
     */
    private void end(PendingWrite first, Throwable error) {
        long heldNow;
        synchronized (this) {
            for (PendingWrite w = first; w != null; w = w.next) {
                release(w);
            }
            heldNow = heldBytes;
        }
        PendingWrite w = first;
        while (w != null) {
            PendingWrite next = w.next;
            w.next = null;
            if (error == null) {
                stream.wrote(w.payload);
                w.future.complete(null);
            } else {
                w.future.completeExceptionally(error);
            }
            w = next;
        }
        if (stream.loop.inLoop()) {
            stream.writesEnded(heldNow);
        }
    }
}
