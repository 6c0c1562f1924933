package dev.uvtcp.service;

import dev.uvtcp.HandleClosedException;
import dev.uvtcp.ListenHandler;
import dev.uvtcp.ReadHandler;
import dev.uvtcp.Stream;
import dev.uvtcp.UvException;
import dev.uvtcp.jni.UvNative;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The stream operations of a handle: listen/accept, reading, writing, shutdown.
 *
 * <p>Pending writes are kept in submission order, which is the order libuv completes them in;
 * each carries the id given to the native write, checked on completion.
 */
abstract class UvStream extends UvHandle implements Stream {

    private final DirectBufferPool bufferPool;
    /** Loop thread only. */
    private final ArrayDeque<PendingWrite> pendingWrites = new ArrayDeque<>();
    private int nextWriteId;
    private ReadHandler readHandler;
    private ListenHandler listenHandler;
    private CompletableFuture<Void> pendingShutdown;
    private volatile boolean shutdownRequested;
    /** Set on the loop thread when EOF was read: libuv 1.44 keeps the handle "readable". */
    private volatile boolean eofRead;

    private record PendingWrite(int id, WriteRequest request) {
    }

    UvStream(EventLoop loop, HandleOwner owner, DirectBufferPool bufferPool) {
        super(loop, owner);
        this.bufferPool = bufferPool;
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
            listenHandler = handler;
            return null;
        });
    }

    /** Loop thread: a human-readable subject for listen errors. */
    String describeLocal() {
        return label();
    }

    @Override
    public final void onConnection(int status) {
        ListenHandler handler = listenHandler;
        if (handler == null) {
            return;
        }
        UvException error = status == 0 ? null : UvErrors.exception(status, "listen " + label());
        guard("ListenHandler of " + label(), () -> handler.onConnection(this, error));
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
        if (nread > 0) {
            ByteBuffer data = loop.readView((int) nread);
            guard("ReadHandler of " + label(), () -> handler.onRead(this, data));
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
        WriteRequest request = WriteRequest.capture(buffers, bufferPool);
        onLoopAsync("write", () -> writeOnLoop(request), request::fail);
        return request.future;
    }

    private void writeOnLoop(WriteRequest request) {
        if (request.totalBytes == 0) {
            request.complete();
            return;
        }
        boolean tryFirst = true;
        if (request.hasBorrowed) {
            int written = UvNative.tryWrite(address, request.buffers, request.positions,
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
            pendingWrites.addLast(new PendingWrite(id, request));
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
        PendingWrite pending = pendingWrites.pollFirst();
        if (pending == null || pending.id() != requestId) {
            LOG.log(System.Logger.Level.ERROR, "write completion " + requestId + " on " + label()
                    + " does not match the oldest pending write; writes may be lost");
            if (pending == null) {
                return;
            }
        }
        if (status == 0) {
            pending.request().complete();
        } else {
            pending.request().fail(writeError(status));
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
            if (pendingShutdown != null) {
                result.completeExceptionally(UvErrors.exception(
                        UvNative.errCode("EALREADY"), "shutdown " + label()));
                return;
            }
            int status = UvNative.shutdown(address);
            if (status < 0) {
                result.completeExceptionally(UvErrors.exception(status, "shutdown " + label()));
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
        listenHandler = null;
    }

    @Override
    void afterClose() {
        // libuv cancels pending requests before the close callback; this is a safety net.
        PendingWrite pending;
        while ((pending = pendingWrites.pollFirst()) != null) {
            pending.request().fail(new HandleClosedException("write on " + label()
                    + ": handle closed before the write completed"));
        }
    }
}
