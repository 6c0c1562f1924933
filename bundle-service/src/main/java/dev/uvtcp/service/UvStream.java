package dev.uvtcp.service;

import dev.uvtcp.HandleClosedException;
import dev.uvtcp.ListenHandler;
import dev.uvtcp.ReadHandler;
import dev.uvtcp.Stream;
import dev.uvtcp.UvException;
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
 * <p>Pending writes are kept in submission order, which is the order libuv completes them in;
 * each carries the id given to the native write, checked on completion.
 */
abstract class UvStream extends UvHandle implements Stream {

    private static final VarHandle WRITE_BYTES_HELD;

    static {
        try {
            WRITE_BYTES_HELD = MethodHandles.lookup().findVarHandle(UvStream.class,
                    "writeBytesHeld", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final DirectBufferPool bufferPool;
    /**
     * Loop thread only: the writes libuv has queued and not finished, oldest first, linked
     * through the requests (no queue object per stream: an idle server holds many streams).
     */
    private WriteRequest oldestPending;
    private WriteRequest newestPending;
    private int nextWriteId;
    private ReadHandler readHandler;
    /** Loop thread only: set by {@link #listen}; null for connections, the many. */
    private Listening listening;
    /** Loop thread only: the stage of the shutdown libuv has not finished, or null. */
    private CompletableFuture<Void> pendingShutdown;
    /** Set on the loop thread once libuv accepted a shutdown; it stays set. */
    private volatile boolean shutdownRequested;
    /** Set on the loop thread when EOF was read: libuv 1.44 keeps the handle "readable". */
    private volatile boolean eofRead;
    /**
     * Any thread, through {@link #WRITE_BYTES_HELD}: bytes of writes accepted by {@link #write}
     * and not yet ended (on their way to the loop or queued in libuv); bounded by
     * {@link #maxWriteQueueBytes}.
     */
    private volatile long writeBytesHeld;
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

    @Override
    public final void onConnection(int status) {
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
            UvNative.readStop(address);
        }
    }

    @Override
    public final void onRead(long nread) {
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
        if (buffers != null && buffers.length == 1 && loop.inLoop()) {
            CompletionStage<Void> done = tryWriteAllOnLoop(buffers[0]);
            if (done != null) {
                return done;
            }
        }
        WriteRequest request = WriteRequest.capture(buffers, bufferPool);
        if (request.totalBytes > 0 && !holdWriteBytes(request)) {
            return request.future;
        }
        onLoopAsync("write", () -> writeOnLoop(request), request::fail);
        return request.future;
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
        if (src == null || !src.isDirect() || !isOpen() || oldestPending != null
                || shutdownRequested) {
            return null;
        }
        int length = src.remaining();
        if (length == 0) {
            return null;
        }
        int position = src.position();
        int written = loop.isReadView(src)
                ? UvNative.tryWriteReadBuffer(address, position, length) // an echo
                : UvNative.tryWrite1(address, src, position, length);
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

    /**
     * Any thread: counts the request against the write queue limit, or fails it with ENOBUFS
     * if it does not fit.
     *
     * @return true if the request may go on to the loop
     */
    private boolean holdWriteBytes(WriteRequest request) {
        long limit = maxWriteQueueBytes;
        long held = (long) WRITE_BYTES_HELD.getAndAdd(this, request.totalBytes)
                + request.totalBytes;
        if (held > limit) {
            WRITE_BYTES_HELD.getAndAdd(this, -request.totalBytes);
            request.fail(UvErrors.exception(UvErrors.ENOBUFS, "write of " + request.totalBytes
                    + " bytes to " + label() + " refused: " + (held - request.totalBytes)
                    + " bytes are queued and the write queue limit is " + limit));
            return false;
        }
        request.accountTo(this);
        return true;
    }

    /**
     * A request counted by {@link #holdWriteBytes} ended: on the loop thread when it was
     * written or failed there, on the caller's thread when it was refused before reaching the
     * loop.
     */
    final void writeEnded(long bytes, boolean written) {
        WRITE_BYTES_HELD.getAndAdd(this, -bytes);
        if (written) {
            bytesWritten += bytes;
        }
        if (written && idleTracking) {
            lastActivityNanos = System.nanoTime();
        }
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

    private void writeOnLoop(WriteRequest request) {
        if (request.totalBytes == 0) {
            request.complete();
            return;
        }
        boolean tryFirst = true;
        if (request.hasBorrowed) {
            int written = request.count == 1
                    ? UvNative.tryWrite1(address, request.buffers[0], request.positions[0],
                            request.lengths[0])
                    : UvNative.tryWrite(address, request.buffers, request.positions,
                            request.lengths, request.count);
            if (written == request.totalBytes) {
                request.complete();
                return;
            }
            if (written < 0 && written != UvErrors.EAGAIN) {
                request.fail(writeError(written));
                return;
            }
            request.copyBorrowedAfter(Math.max(written, 0));
            tryFirst = false;
        }
        int id = nextWriteId++;
        int result = request.count == 1
                ? UvNative.write1(address, id, request.buffers[0], request.positions[0],
                        request.lengths[0], tryFirst)
                : UvNative.write(address, id, request.buffers, request.positions,
                        request.lengths, request.count, tryFirst);
        if (result == UvNative.WRITE_DONE) {
            request.complete();
        } else if (result == UvNative.WRITE_QUEUED) {
            request.writeId = id;
            if (newestPending == null) {
                oldestPending = request;
            } else {
                newestPending.nextPending = request;
            }
            newestPending = request;
        } else {
            request.fail(writeError(result));
        }
    }

    private UvException writeError(int code) {
        String operation = "write to " + label();
        if (code == UvErrors.EPIPE && shutdownRequested) {
            operation += " after shutdown()";
        }
        return UvErrors.exception(code, operation);
    }

    @Override
    public final void onWrite(int requestId, int status) {
        WriteRequest pending = takeOldestPending();
        if (pending == null || pending.writeId != requestId) {
            LOG.log(System.Logger.Level.ERROR, "write completion " + requestId + " on " + label()
                    + " does not match the oldest pending write; writes may be lost");
            if (pending == null) {
                return;
            }
        }
        if (status == 0) {
            pending.complete();
        } else {
            pending.fail(writeError(status));
        }
    }

    /** Loop thread: unlinks and returns the oldest write libuv has not finished, or null. */
    private WriteRequest takeOldestPending() {
        WriteRequest oldest = oldestPending;
        if (oldest != null) {
            oldestPending = oldest.nextPending;
            oldest.nextPending = null;
            if (oldestPending == null) {
                newestPending = null;
            }
        }
        return oldest;
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
        int count = source.length;
        ByteBuffer[] direct = new ByteBuffer[count];
        int[] positions = new int[count];
        int[] lengths = new int[count];
        ByteBuffer[] copies = new ByteBuffer[count];
        try {
            for (int i = 0; i < count; i++) {
                ByteBuffer src = source[i];
                lengths[i] = src.remaining();
                if (src.isDirect()) {
                    direct[i] = src;
                    positions[i] = src.position();
                } else {
                    copies[i] = bufferPool.take(lengths[i]);
                    copies[i].put(0, src, src.position(), lengths[i]);
                    direct[i] = copies[i];
                }
            }
            int written = UvNative.tryWrite(address, direct, positions, lengths, count);
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
            for (ByteBuffer copy : copies) {
                if (copy != null) {
                    bufferPool.give(copy);
                }
            }
        }
    }

    @Override
    public CompletionStage<Void> shutdown() {
        CompletableFuture<Void> result = new CompletableFuture<>();
        onLoopAsync("shutdown", () -> {
            // No check of our own: libuv answers ENOTCONN for a stream that is not writable,
            // already shut or shutting down, or closing, and callers expect libuv's answer.
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

    @Override
    public final void onShutdown(int status) {
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
    }

    /**
     * Loop thread: what the runtime introspection ({@code uvtcp:handles}) shows of this stream:
     * {@code {bytesRead, bytesWritten, listening ? 1 : 0, reading ? 1 : 0}}.
     */
    final long[] introspect() {
        return new long[] {bytesRead, bytesWritten, listening != null ? 1 : 0,
                readHandler != null ? 1 : 0};
    }

    @Override
    void afterClose() {
        if (idleCheck != null) {
            idleCheck.cancel(false);
            idleCheck = null;
        }
        // libuv cancels pending requests before the close callback; this is a safety net.
        WriteRequest pending;
        while ((pending = takeOldestPending()) != null) {
            pending.fail(new HandleClosedException("write on " + label()
                    + ": handle closed before the write completed"));
        }
    }
}
