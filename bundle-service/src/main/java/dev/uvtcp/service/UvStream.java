package dev.uvtcp.service;

import dev.uvtcp.HandleClosedException;
import dev.uvtcp.ListenHandler;
import dev.uvtcp.ReadHandler;
import dev.uvtcp.Stream;
import dev.uvtcp.UvException;
import dev.uvtcp.jni.ErrorCodes;
import dev.uvtcp.jni.UvNative;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The stream operations of a handle: listen/accept, reading, writing, shutdown, and the
 * statistics of what went through.
 *
 * <p>The stream itself holds what every connection needs on every read and write: the read
 * handler and its pause while writes are high, the write limit and the byte counts. What only
 * some streams need lives in objects made on first use, so that an idle connection stays
 * small: {@link Listening} (a listener's handler and its resume after running out of
 * descriptors), the {@link WriteQueue} (writes that did not go to the kernel at once, their
 * order and the memory they hold), {@link StreamShutdown} (the half-close) and {@link
 * IdleTimeout}. The writes that go out at once are {@link TryWrites}.
 */
abstract class UvStream extends UvHandle implements Stream {

    private static final VarHandle WRITES;

    static {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        try {
            WRITES = lookup.findVarHandle(UvStream.class, "writes", WriteQueue.class);
            // The parts a stream makes on first use are loaded with it: loading a class reads
            // its jar, which takes a descriptor, and a server out of descriptors must still
            // shut down and close its connections (FdExhaustionTest) and time them out.
            lookup.ensureInitialized(StreamShutdown.class);
            lookup.ensureInitialized(IdleTimeout.class);
            lookup.ensureInitialized(TryWrites.class);
            lookup.ensureInitialized(WriteQueue.class);
            lookup.ensureInitialized(Listening.class);
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
    /** Loop thread only: made by the first {@link #shutdown()}; null until then. */
    private StreamShutdown shutdown;
    /** Set on the loop thread when EOF was read: libuv 1.44 keeps the handle "readable". */
    private volatile boolean eofRead;
    /** Any thread: the write queue limit ({@link #setMaxWriteQueueSize(long)}). */
    private volatile long maxWriteQueueBytes;
    /** Loop thread only: the idle timeout watching this stream, or null (most have none). */
    private IdleTimeout idle;

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

    /**
     * Loop thread: a new, open, unconnected handle of the same kind on the same loop, owned by
     * {@code owner}.
     */
    abstract UvStream newPeerOnLoop(HandleOwner owner) throws UvException;

    @Override
    public void listen(int backlog, ListenHandler handler) throws UvException {
        Objects.requireNonNull(handler, "handler");
        if (backlog < 0) {
            throw new IllegalArgumentException("backlog must be >= 0, was " + backlog);
        }
        onLoop("listen", () -> {
            UvErrors.check(UvNative.listen(address, backlog), "listen " + describeLocal());
            listening = new Listening(this, handler, backlog);
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
        if (current != null) {
            current.onConnection(status);
        }
    }

    /** Loop thread: whether {@code candidate} is this stream's listening now. */
    final boolean isListening(Listening candidate) {
        return listening == candidate;
    }

    @Override
    public Stream accept() throws UvException {
        return onLoop("accept", this::acceptOnLoop);
    }

    /** Loop thread: {@code uv_accept} into a new handle, closed again if accept fails. */
    final UvStream acceptOnLoop() throws UvException {
        return acceptOnLoop(owner());
    }

    /**
     * Loop thread: {@code uv_accept} into a new handle owned by {@code into}, which need not
     * be this listener's owner (a whiteboard listener outlives the servers it serves).
     */
    final UvStream acceptOnLoop(HandleOwner into) throws UvException {
        UvStream client = newPeerOnLoop(into);
        int result = UvNative.accept(address, client.address);
        if (result < 0) {
            client.closeOnLoop();
            throw UvErrors.exception(result, result == ErrorCodes.EAGAIN
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
            if (UvNative.loopPendingReads(loop.address()) > 0) { // waiting, or handed out now
                loop.rememberStoppedReader(this, readHandler);
            }
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

    /**
     * Up-call (loop thread): see {@code LoopCallbacks.onRead}. Bytes of a stream whose reading
     * was stopped after they were read, before their batch was handed out (by a handler of the
     * same batch, a task or another up-call of the same poll phase), still go to the handler
     * they were read for; an end or error is then left to the next {@code startReading} (the
     * socket reports it again); a closed stream gets nothing.
     */
    final void onRead(long nread, int offset) {
        ReadHandler current = readHandler;
        ReadHandler handler = current != null ? current
                : nread > 0 && isOpen() ? loop.handlerOfStoppedReader(this) : null;
        if (handler == null) {
            return;
        }
        IdleTimeout idleTimeout = idle;
        if (idleTimeout != null) {
            idleTimeout.activity();
        }
        if (nread > 0) {
            bytesRead += nread;
            // The hot path: no allocation (no message, no lambda) unless the handler throws.
            ByteBuffer data = loop.readView(offset, (int) nread);
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
        if (nread == ErrorCodes.EOF) {
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
            CompletionStage<Void> done = TryWrites.writeAll(this, buffers[0]);
            if (done != null) {
                return done;
            }
        }
        long payload = 0;
        for (ByteBuffer buffer : buffers) {
            payload += buffer.remaining();
        }
        if (payload == 0 || !isOpen()) {
            return payload == 0 && isOpen() ? TryWrites.WRITTEN
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

    /** Any thread: the stream's write queue if it was made, else null. */
    final WriteQueue writeQueueOrNull() {
        return writes;
    }

    /** Loop thread: a write of {@code bytes} ended successfully (statistics, idle timeout). */
    final void wrote(long bytes) {
        bytesWritten += bytes;
        IdleTimeout idleTimeout = idle;
        if (idleTimeout != null) {
            idleTimeout.activity();
        }
    }

    /** Loop thread: bytes sent of a write not yet ended (statistics only). */
    final void countWritten(long bytes) {
        bytesWritten += bytes;
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
     * {@code timeoutMillis} (replacing a timeout set before).
     */
    final void startIdleTimeout(long timeoutMillis) {
        if (idle != null) {
            idle.cancel();
        }
        idle = new IdleTimeout(this, timeoutMillis);
        idle.start();
    }

    /** Loop thread: the error for a failed native write, saying so if after shutdown(). */
    final UvException writeError(int code) {
        StreamShutdown halfClose = shutdown;
        return writeError(code, halfClose != null && halfClose.requested());
    }

    /** Loop thread: as {@link #writeError(int)}, told whether shutdown() was called. */
    final UvException writeError(int code, boolean afterShutdown) {
        String operation = "write to " + label();
        if (code == ErrorCodes.EPIPE && afterShutdown) {
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
        return onLoop("tryWrite", () -> TryWrites.tryWrite(this, buffers));
    }

    @Override
    public CompletionStage<Void> shutdown() {
        CompletableFuture<Void> result = new CompletableFuture<>();
        if (isOpen()) {
            writeQueue().shutdownCalled(); // writes after this call must not go out before it
        }
        onLoopAsync("shutdown", () -> {
            WriteQueue queue = writes;
            if (queue != null) {
                queue.flush(); // writes made before shutdown() go out before it
            }
            StreamShutdown halfClose = shutdown;
            if (halfClose == null) {
                shutdown = halfClose = new StreamShutdown(this);
            }
            halfClose.request(result);
        }, result::completeExceptionally);
        return result;
    }

    /** Up-call (loop thread): see {@code LoopCallbacks.onShutdown}. */
    final void onShutdown(int status) {
        StreamShutdown halfClose = shutdown;
        if (halfClose != null) {
            halfClose.onShutdown(status);
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
        if (idle != null) {
            idle.cancel();
        }
        WriteQueue queue = writes;
        if (queue != null) {
            queue.afterClose();
        }
    }
}
