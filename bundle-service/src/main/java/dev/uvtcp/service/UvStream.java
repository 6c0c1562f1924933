package dev.uvtcp.service;

import dev.uvtcp.HandleClosedException;
import dev.uvtcp.ListenHandler;
import dev.uvtcp.ReadHandler;
import dev.uvtcp.Stream;
import dev.uvtcp.UvException;
import dev.uvtcp.jni.IoVectors;
import dev.uvtcp.jni.UvNative;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;

/**
 * The stream operations of a handle: listen/accept, reading, writing, shutdown.
 *
 * <p>Writes that do not go to the kernel at once are owned by the stream's {@link WriteQueue},
 * made on the first such write (an idle server holds many streams that never need one).
 */
abstract class UvStream extends UvHandle implements Stream {

    private static final VarHandle WRITES;

    static {
        try {
            WRITES = MethodHandles.lookup().findVarHandle(UvStream.class, "writes",
                    WriteQueue.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final DirectBufferPool bufferPool;
    /** Any thread, set once through {@link #WRITES}: the pending writes; null until needed. */
    private volatile WriteQueue writes;
    private ReadHandler readHandler;
    /**
     * Loop thread only: reading is stopped natively because queued writes hold more than half
     * the write queue limit (the handler stays set; reading resumes once they drain).
     */
    private boolean readPausedByWrites;
    /** Loop thread only: set by {@link #listen}; null for connections, the many. */
    private Listening listening;
    /** Loop thread only: the stage of the shutdown libuv has not finished, or null. */
    private CompletableFuture<Void> pendingShutdown;
    /** Set on the loop thread once libuv accepted a shutdown; it stays set. */
    private volatile boolean shutdownRequested;
    /** Set on the loop thread when EOF was read: libuv 1.44 keeps the handle "readable". */
    private volatile boolean eofRead;
    /** Any thread: the write queue limit ({@link #setMaxWriteQueueSize(long)}). */
    private volatile long maxWriteQueueBytes;
    /** Loop thread only: whether an idle timeout watches this stream. */
    private boolean idleTracking;
    /** Loop thread only: {@link System#nanoTime()} of the last read or completed write. */
    private long lastActivityNanos;
    /** Loop thread only: the pending idle check, cancelled on close. */
    private ScheduledFuture<?> idleCheck;

    /** Loop thread only (read elsewhere through {@link #introspect}): bytes read so far. */
    private long bytesRead;
    /** Loop thread only: bytes of writes that completed so far. */
    private long bytesWritten;

    UvStream(EventLoop loop, HandleOwner owner, DirectBufferPool bufferPool) {
        super(loop, owner);
        this.bufferPool = bufferPool;
        this.maxWriteQueueBytes = owner.defaultMaxWriteQueueBytes();
    }

    /** Any thread: the pool heap bytes are copied into for writing. */
    final DirectBufferPool bufferPool() {
        return bufferPool;
    }

    /** Loop thread: a new, open, unconnected handle of the same kind on the same loop. */
    abstract UvStream newPeerOnLoop() throws UvException;

    @Override
    public void listen(int backlog, ListenHandler handler) throws UvException {
        Objects.requireNonNull(handler, "handler");
        if (backlog < 0) {
            throw new IllegalArgumentException("backlog must be >= 0, was " + backlog);
        }
        onLoop("listen", () -> {
            UvErrors.check(UvNative.listen(address, backlog), "listen " + describeLocal());
            listening = new Listening(handler, backlog);
            return null;
        });
    }

    /** Loop thread: a human-readable subject for listen errors. */
    String describeLocal() {
        return label();
    }

    /** Up-call (loop thread): see {@code LoopCallbacks.onConnection}. */
    final void onConnection(int status) {
        Listening current = listening;
        if (current == null) {
            return;
        }
        if (status == UvErrors.EMFILE || status == UvErrors.ENFILE) {
            // libuv (patched, see bundle-native's patches/) may have stopped accepting
            scheduleAcceptResume(current);
        }
        tellListenHandler(current, status == 0 ? null
                : UvErrors.exception(status, "listen " + label()));
    }

    private void tellListenHandler(Listening current, UvException error) {
        try {
            current.handler.onConnection(this, error);
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.WARNING, "ListenHandler of " + label() + " threw", t);
        }
    }

    /**
     * Loop thread: out of descriptors, libuv stops watching the server when it could not shed
     * the waiting connections (rather than retry accept() without end, which would starve
     * every other handle of the loop). Accepting resumes after a pause: Netty pauses its
     * acceptor likewise. Resuming when libuv did not stop is harmless (uv_listen again).
     */
    private void scheduleAcceptResume(Listening current) {
        if (current.resumeScheduled) {
            return;
        }
        current.resumeScheduled = true;
        try {
            owner().timer().schedule(loop, () -> resumeAccepting(current),
                    Listening.PAUSE_AFTER_OUT_OF_DESCRIPTORS_MILLIS);
        } catch (RejectedExecutionException stopped) {
            current.resumeScheduled = false; // the loops are stopping: nothing to resume
        }
    }

    private void resumeAccepting(Listening current) {
        current.resumeScheduled = false;
        if (listening != current) {
            return; // closed, or listening again (which resumed already)
        }
        int result = UvNative.listen(address, current.backlog);
        if (result < 0) {
            tellListenHandler(current,
                    UvErrors.exception(result, "resume accepting on " + label()));
        }
    }

    @Override
    public Stream accept() throws UvException {
        return onLoop("accept", this::acceptOnLoop);
    }

    /** Loop thread: {@code uv_accept} into a new handle, closed again if accept fails. */
    final UvStream acceptOnLoop() throws UvException {
        UvStream client = newPeerOnLoop();
        int result = UvNative.accept(address, client.address);
        if (result < 0) {
            client.closeOnLoop();
            throw UvErrors.exception(result, result == UvErrors.EAGAIN
                    ? "accept on " + label() + " (no connection is waiting)"
                    : "accept on " + label());
        }
        return client;
    }

    @Override
    public void startReading(ReadHandler handler) throws UvException {
        Objects.requireNonNull(handler, "handler");
        onLoop("startReading", () -> {
            ReadHandler previous = readHandler;
            readHandler = handler;
            if (previous == null) {
                int result = UvNative.readStart(address);
                if (result < 0) {
                    readHandler = null;
                    throw UvErrors.exception(result, "startReading " + label());
                }
            }
            return null;
        });
    }

    @Override
    public void stopReading() {
        if (!isOpen()) {
            return;
        }
        try {
            onLoop("stopReading", () -> {
                stopReadingOnLoop();
                return null;
            });
        } catch (HandleClosedException | UvException closedMeanwhile) {
            // a closed handle reads nothing
        }
    }

    private void stopReadingOnLoop() {
        if (readHandler != null) {
            readHandler = null;
            readPausedByWrites = false;
            UvNative.readStop(address);
        }
    }

    /**
     * Queued writes holding more than half the write queue limit stop the stream's reading,
     * so that a peer that sends without reading what comes back (an echo, a proxy to itself)
     * is slowed by TCP's own flow control before the limit refuses a write; reading resumes
     * once they hold a quarter of it. Half, not less: a peer may well send a few MiB before it
     * reads, and libuv or Netty would queue that too. Netty users know this as turning
     * auto-read off while a channel is not writable.
     */
    static final int READ_PAUSE_DIVISOR = 2;
    static final int READ_RESUME_DIVISOR = 4;

    /** Loop thread, after a read was handled: pauses reading if queued writes are high. */
    private void pauseReadingIfWritesAreHigh() {
        WriteQueue queue = writes;
        if (queue != null && !readPausedByWrites && readHandler != null && isOpen()
                && queue.heldBytes() > maxWriteQueueBytes / READ_PAUSE_DIVISOR) {
            readPausedByWrites = true;
            UvNative.readStop(address);
        }
    }

    /** Loop thread: writes ended and now hold {@code heldBytes}; resumes a paused read. */
    final void writesEnded(long heldBytes) {
        if (readPausedByWrites && heldBytes <= maxWriteQueueBytes / READ_RESUME_DIVISOR
                && isOpen()) {
            readPausedByWrites = false;
            if (readHandler != null) {
                int result = UvNative.readStart(address);
                if (result < 0) {
                    ReadHandler handler = readHandler;
                    readHandler = null;
                    UvException error = UvErrors.exception(result, "resume reading " + label());
                    guard("ReadHandler.onError of " + label(), () -> handler.onError(this, error));
                }
            }
        }
    }

    /** Up-call (loop thread): see {@code LoopCallbacks.onRead}. */
    final void onRead(long nread) {
        ReadHandler handler = readHandler;
        if (handler == null) {
            return;
        }
        if (idleTracking) {
            lastActivityNanos = System.nanoTime();
        }
        if (nread > 0) {
            bytesRead += nread;
            // The hot path: no allocation (no message, no lambda) unless the handler throws.
            ByteBuffer data = loop.readView((int) nread);
            try {
                handler.onRead(this, data);
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.WARNING, "ReadHandler of " + label() + " threw", t);
            }
            if (writes != null) {
                pauseReadingIfWritesAreHigh();
            }
            return;
        }
        // libuv has stopped reading on EOF and on errors.
        readHandler = null;
        if (nread == UvErrors.EOF) {
            eofRead = true;
            guard("ReadHandler.onEnd of " + label(), () -> handler.onEnd(this));
        } else {
            UvException error = UvErrors.exception((int) nread, "read " + label());
            guard("ReadHandler.onError of " + label(), () -> handler.onError(this, error));
        }
    }

    @Override
    public CompletionStage<Void> write(ByteBuffer... buffers) {
        Objects.requireNonNull(buffers, "buffers");
        if (buffers.length == 0) {
            throw new IllegalArgumentException("write needs at least one buffer");
        }
        for (int i = 0; i < buffers.length; i++) {
            Objects.requireNonNull(buffers[i], "buffers[" + i + "]");
        }
        boolean onLoop = loop.inLoop();
        if (onLoop && buffers.length == 1) {
            CompletionStage<Void> done = tryWriteAllOnLoop(buffers[0]);
            if (done != null) {
                return done;
            }
        }
        long payload = 0;
        for (ByteBuffer buffer : buffers) {
            payload += buffer.remaining();
        }
        if (payload == 0 || !isOpen()) {
            return payload == 0 && isOpen() ? WRITTEN
                    : CompletableFuture.failedStage(new HandleClosedException("write on "
                            + label() + ": handle is closed"));
        }
        WriteQueue queue = writeQueue();
        PendingWrite write = queue.add(buffers);
        if (onLoop) {
            queue.flush();
        }
        return write.future;
    }

    /** Any thread: the stream's write queue, made on first use. */
    private WriteQueue writeQueue() {
        WriteQueue queue = writes;
        if (queue == null) {
            WriteQueue made = new WriteQueue(this, bufferPool);
            queue = WRITES.compareAndSet(this, null, made) ? made : writes;
        }
        return queue;
    }

    /** The result of every write that the kernel took whole at once; shareable, immutable. */
    private static final CompletionStage<Void> WRITTEN = CompletableFuture.completedStage(null);

    /**
     * Loop thread, the fast path of {@link #write}: when nothing is queued, one
     * {@code uv_try_write} of a direct buffer; if the kernel takes every byte, the write is
     * done with no allocation and one JNI crossing. Returns null when the general path must
     * go on: for a heap buffer, a closed handle, queued writes (nothing was sent then), or a
     * partial write (the buffer's position is advanced past what was sent, and the general
     * path queues the rest, copying it if the buffer is borrowed).
     */
    private CompletionStage<Void> tryWriteAllOnLoop(ByteBuffer src) {
        WriteQueue queue = writes;
        // shutdown() marks the queue (made then) at the call: idleOnLoop covers it too.
        if (!src.isDirect() || !isOpen() || (queue != null && !queue.idleOnLoop())) {
            return null;
        }
        int length = src.remaining();
        if (length == 0) {
            return null;
        }
        int position = src.position();
        long base = loop.isReadView(src) ? loop.readBufferAddress() // an echo
                : UvNative.bufferAddress(src);
        int written = UvNative.tryWrite1(address, base + position, length);
        if (written > 0) {
            bytesWritten += written;
        }
        if (written != length) {
            if (written > 0) {
                // Sent in part: the general path sends the rest (and copies it if borrowed).
                src.position(position + written);
            }
            if (written >= 0 || written == UvErrors.EAGAIN) {
                return null;
            }
            src.position(src.limit());
            return CompletableFuture.failedStage(writeError(written));
        }
        src.position(src.limit());
        if (idleTracking) {
            lastActivityNanos = System.nanoTime();
        }
        return WRITTEN;
    }

    /** Loop thread: a write of {@code bytes} ended successfully (statistics, idle timeout). */
    final void wrote(long bytes) {
        bytesWritten += bytes;
        if (idleTracking) {
            lastActivityNanos = System.nanoTime();
        }
    }

    /**
     * Any thread: the direct memory the stream's queued writes hold now, in bytes (what the
     * write queue limit checks).
     */
    final long writeBytesHeld() {
        WriteQueue queue = writes;
        return queue == null ? 0 : queue.heldBytes();
    }

    @Override
    public void setMaxWriteQueueSize(long bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("max write queue size must be >= 1, was "
                    + bytes);
        }
        ensureOpen("setMaxWriteQueueSize");
        maxWriteQueueBytes = bytes;
    }

    @Override
    public long maxWriteQueueSize() {
        return maxWriteQueueBytes;
    }

    /**
     * Loop thread: closes this stream once nothing was read and no write completed for
     * {@code timeoutMillis}. Checked by a task the owner's {@link LoopTimer} hands to the loop
     * when the timeout could next expire; the check is cancelled when the stream closes.
     */
    final void startIdleTimeout(long timeoutMillis) {
        idleTracking = true;
        lastActivityNanos = System.nanoTime();
        scheduleIdleCheck(timeoutMillis, timeoutMillis);
    }

    private void scheduleIdleCheck(long delayMillis, long timeoutMillis) {
        try {
            idleCheck = owner().timer().schedule(loop, () -> {
                if (!isOpen()) {
                    return;
                }
                long idleMillis = (System.nanoTime() - lastActivityNanos) / 1_000_000;
                if (idleMillis >= timeoutMillis) {
                    LOG.log(System.Logger.Level.DEBUG, "closing {0}: idle for {1} ms",
                            label(), idleMillis);
                    closeOnLoop();
                } else {
                    scheduleIdleCheck(timeoutMillis - idleMillis, timeoutMillis);
                }
            }, delayMillis);
        } catch (RejectedExecutionException serviceClosed) {
            // the service is closing: it closes this stream too
        }
    }

    /** Loop thread: the error for a failed native write, saying so if after shutdown(). */
    final UvException writeError(int code) {
        return writeError(code, shutdownRequested);
    }

    private UvException writeError(int code, boolean afterShutdown) {
        String operation = "write to " + label();
        if (code == UvErrors.EPIPE && afterShutdown) {
            operation += " after shutdown()";
        }
        return UvErrors.exception(code, operation);
    }

    /** Up-call (loop thread): see {@code LoopCallbacks.onWrite}. */
    final void onWrite(int requestId, int status) {
        WriteQueue queue = writes;
        if (queue != null) {
            queue.onWrite(requestId, status);
        }
    }

    @Override
    public int tryWrite(ByteBuffer... buffers) throws UvException {
        Objects.requireNonNull(buffers, "buffers");
        for (int i = 0; i < buffers.length; i++) {
            Objects.requireNonNull(buffers[i], "buffers[" + i + "]");
        }
        return onLoop("tryWrite", () -> tryWriteOnLoop(buffers));
    }

    private int tryWriteOnLoop(ByteBuffer[] source) throws UvException {
        WriteQueue queue = writes;
        if (queue != null && queue.refusal() != null) {
            throw queue.refusal(); // sending now would leave a gap where the refused write was
        }
        if (queue != null && queue.shutDown()) {
            throw writeError(UvErrors.EPIPE, true);
        }
        if (queue != null && !queue.idleOnLoop()) {
            return 0; // queued writes go first, as libuv's uv_try_write answers EAGAIN then
        }
        int count = source.length;
        ByteBuffer[] copies = new ByteBuffer[count];
        IoVectors vectors = loop.ioVectors();
        try {
            for (int i = 0; i < count; i++) {
                ByteBuffer src = source[i];
                int length = src.remaining();
                if (length == 0) {
                    continue;
                }
                if (src.isDirect()) {
                    vectors.add(UvNative.bufferAddress(src) + src.position(), length);
                } else {
                    copies[i] = scratchCopy(src);
                    vectors.add(UvNative.bufferAddress(copies[i]), length);
                }
            }
            if (vectors.count() == 0) {
                return 0;
            }
            int written = UvNative.tryWrite(address, vectors.address(), vectors.count());
            if (written == UvErrors.EAGAIN) {
                return 0;
            }
            if (written < 0) {
                throw writeError(written);
            }
            int left = written;
            for (ByteBuffer src : source) {
                int step = Math.min(left, src.remaining());
                src.position(src.position() + step);
                left -= step;
            }
            bytesWritten += written;
            return written;
        } finally {
            vectors.clear();
            for (ByteBuffer copy : copies) {
                if (copy != null && copy.capacity() <= DirectBufferPool.MAX_BLOCK) {
                    bufferPool.give(copy);
                }
            }
        }
    }

    /** Loop thread: a direct copy of a heap buffer's remaining bytes for one try-write. */
    private ByteBuffer scratchCopy(ByteBuffer src) throws UvException {
        int length = src.remaining();
        ByteBuffer copy = null;
        if (length <= DirectBufferPool.MAX_BLOCK) {
            copy = bufferPool.take(DirectBufferPool.blockSizeFor(length));
        } else {
            try {
                copy = ByteBuffer.allocateDirect(length);
            } catch (OutOfMemoryError directMemoryExhausted) {
                copy = null;
            }
        }
        if (copy == null) {
            throw UvErrors.exception(UvErrors.ENOBUFS, "tryWrite to " + label()
                    + ": the JVM's direct memory is exhausted (-XX:MaxDirectMemorySize)");
        }
        copy.put(0, src, src.position(), length);
        return copy;
    }

    @Override
    public CompletionStage<Void> shutdown() {
        CompletableFuture<Void> result = new CompletableFuture<>();
        if (isOpen()) {
            writeQueue().shutdownCalled(); // writes after this call must not go out before it
        }
        onLoopAsync("shutdown", () -> {
            // No check of our own: libuv answers ENOTCONN for a stream that is not writable,
            // already shut or shutting down, or closing, and callers expect libuv's answer.
            WriteQueue queue = writes;
            if (queue != null) {
                queue.flush(); // writes made before shutdown() go out before it
            }
            int status = UvNative.shutdown(address);
            if (status < 0) {
                result.completeExceptionally(UvErrors.exception(status, "shutdown " + label()
                        + (shutdownRequested ? " (a shutdown was already requested)" : "")));
                return;
            }
            shutdownRequested = true;
            pendingShutdown = result;
        }, result::completeExceptionally);
        return result;
    }

    /** Up-call (loop thread): see {@code LoopCallbacks.onShutdown}. */
    final void onShutdown(int status) {
        CompletableFuture<Void> result = pendingShutdown;
        // libuv has one shutdown request per stream: once it ended, none is pending.
        pendingShutdown = null;
        if (result == null) {
            return;
        }
        if (status == 0) {
            result.complete(null);
        } else {
            result.completeExceptionally(UvErrors.exception(status, "shutdown " + label()));
        }
    }

    @Override
    public boolean isReadable() {
        return isOpen() && !eofRead
                && queryOrFalse("isReadable", () -> UvNative.isReadable(address));
    }

    @Override
    public boolean isWritable() {
        return isOpen() && queryOrFalse("isWritable", () -> UvNative.isWritable(address));
    }

    private boolean queryOrFalse(String operation, LoopCallable<Boolean> work) {
        try {
            return onLoop(operation, work);
        } catch (HandleClosedException | UvException closedMeanwhile) {
            return false;
        }
    }

    @Override
    public void setBlocking(boolean blocking) throws UvException {
        onLoop("setBlocking", () -> UvErrors.check(UvNative.setBlocking(address, blocking),
                "setBlocking " + label()));
    }

    @Override
    public long writeQueueSize() {
        return query("writeQueueSize", () -> UvNative.writeQueueSize(address));
    }

    @Override
    void beforeClose() {
        readHandler = null;
        listening = null;
        WriteQueue queue = writes;
        if (queue != null) {
            queue.close();
        }
    }

    /** Loop thread: what the runtime introspection ({@code uvtcp:handles}) shows of it. */
    final StreamState introspect() {
        return new StreamState(bytesRead, bytesWritten, listening != null, readHandler != null);
    }

    @Override
    void afterClose() {
        if (idleCheck != null) {
            idleCheck.cancel(false);
            idleCheck = null;
        }
        WriteQueue queue = writes;
        if (queue != null) {
            queue.afterClose();
        }
    }
}
