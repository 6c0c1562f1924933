package dev.uvtcp.service;

import dev.uvtcp.Handle;
import dev.uvtcp.HandleClosedException;
import dev.uvtcp.HandleType;
import dev.uvtcp.Loop;
import dev.uvtcp.UvException;
import dev.uvtcp.jni.UvNative;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A libuv handle and its life: open, closing ({@code uv_close} called), closed (the close
 * callback ran and the native memory is gone).
 *
 * <p>The native address is read and cleared on the loop thread only, and every native call
 * first checks that the handle is open, so a closed handle never reaches native code.
 * {@link #state} is volatile so that other threads can refuse work early.
 */
abstract class UvHandle implements Handle {

    static final System.Logger LOG = System.getLogger(UvHandle.class.getName());

    private static final int OPEN = 0;
    private static final int CLOSING = 1;
    private static final int CLOSED = 2;
    private static final AtomicInteger IDS = new AtomicInteger();
    /** {@code HandleType.values()} once: values() copies the array on every call. */
    private static final HandleType[] HANDLE_TYPES = HandleType.values();
    private static final VarHandle CLOSED_FUTURE;

    static {
        try {
            CLOSED_FUTURE = MethodHandles.lookup().findVarHandle(UvHandle.class, "closed",
                    CompletableFuture.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final EventLoop loop;
    private final HandleOwner owner;
    private final int id = IDS.incrementAndGet();
    /**
     * Made on first use by {@link #closeFuture()}: most handles are never asked, and an idle
     * server holds many handles (their per-connection memory is measured by the bench).
     */
    private volatile CompletableFuture<Void> closed;
    private volatile int state = OPEN;
    private volatile Object attachment;
    private HandleType type = HandleType.UNKNOWN;
    /** Loop thread only. */
    long address;
    /** Loop thread only: links in its loop's {@link HandleList}. */
    UvHandle previousInLoop;
    UvHandle nextInLoop;
    /** Guarded by the owner: links in its owner's {@link HandleList}. */
    UvHandle previousOfOwner;
    UvHandle nextOfOwner;

    UvHandle(EventLoop loop, HandleOwner owner) {
        this.loop = loop;
        this.owner = owner;
    }

    /**
     * Loop thread: records the native handle just created, registers it with its loop and
     * owner, and closes it again if the owner has gone meanwhile.
     */
    final void attachNative(long nativeAddress) {
        this.address = nativeAddress;
        int code = UvNative.handleType(nativeAddress);
        HandleType[] types = HANDLE_TYPES;
        this.type = code >= 0 && code < types.length ? types[code] : HandleType.UNKNOWN;
        loop.register(this);
        try {
            owner.adopt(this);
        } catch (HandleClosedException ownerGone) {
            closeOnLoop();
            throw ownerGone;
        }
    }

    /** A short name used in messages, e.g. {@code "tcp#12"}. */
    final String label() {
        return type.name().toLowerCase(java.util.Locale.ROOT) + "#" + id;
    }

    /** Any thread: the handle's id, the number in {@link #label()}; for introspection. */
    final int id() {
        return id;
    }

    /** Any thread: whom the handle was created for; for introspection. */
    final HandleOwner owner() {
        return owner;
    }

    final boolean isOpen() {
        return state == OPEN;
    }

    /** Any thread: refuses an operation on a handle that is no longer open. */
    final void ensureOpen(String operation) {
        if (state != OPEN) {
            throw new HandleClosedException(operation + " on " + label() + ": handle is closed");
        }
    }

    /**
     * Runs {@code work} on the loop with the handle checked open there, from any thread.
     *
     * @throws HandleClosedException if the handle is (or gets) closed before the work runs
     */
    final <T> T onLoop(String operation, LoopCallable<T> work) throws UvException {
        ensureOpen(operation);
        try {
            return loop.call(() -> {
                ensureOpen(operation);
                return work.call();
            });
        } catch (RejectedExecutionException loopGone) {
            throw new HandleClosedException(operation + " on " + label()
                    + ": its TcpService has been closed");
        }
    }

    /** {@link #onLoop} for work that cannot fail with a libuv error. */
    final <T> T query(String operation, LoopCallable<T> work) {
        try {
            return onLoop(operation, work);
        } catch (UvException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs {@code work} on the loop, from any thread, without waiting; if it cannot run because
     * the handle or loop is gone, {@code onRefused} receives the reason instead.
     */
    final void onLoopAsync(String operation, Runnable work,
            java.util.function.Consumer<Throwable> onRefused) {
        Runnable checked = () -> {
            if (state != OPEN) {
                onRefused.accept(new HandleClosedException(operation + " on " + label()
                        + ": handle is closed"));
                return;
            }
            work.run();
        };
        if (loop.inLoop()) {
            checked.run();
            return;
        }
        try {
            loop.execute(checked);
        } catch (RejectedExecutionException loopGone) {
            onRefused.accept(new HandleClosedException(operation + " on " + label()
                    + ": its TcpService has been closed"));
        }
    }

    @Override
    public final Loop loop() {
        return loop;
    }

    @Override
    public final HandleType type() {
        return type;
    }

    @Override
    public final Object attachment() {
        return attachment;
    }

    @Override
    public final Object attach(Object newAttachment) {
        Object previous = attachment;
        attachment = newAttachment;
        return previous;
    }

    @Override
    public final void close() {
        if (state != OPEN) {
            return;
        }
        if (loop.inLoop()) {
            closeOnLoop();
            return;
        }
        try {
            loop.call(() -> {
                closeOnLoop();
                return null;
            });
        } catch (RejectedExecutionException | UvException loopGone) {
            // The loop closed every handle as it ended.
        } catch (LoopDeadlockException wouldDeadlock) {
            // Called on a loop that the handle's loop is waiting for: close without waiting.
            try {
                loop.execute(this::closeOnLoop);
            } catch (RejectedExecutionException loopGone) {
                // The loop closed every handle as it ended.
            }
        }
    }

    /** Loop thread: {@code uv_close}, unless already closing. */
    final void closeOnLoop() {
        if (state != OPEN) {
            return;
        }
        state = CLOSING;
        beforeClose();
        UvNative.close(address);
    }

    /** Loop thread: marks a close the subclass started natively itself (close-reset). */
    final void markClosing() {
        state = CLOSING;
        beforeClose();
    }

    /** Loop thread: called once just before the handle starts closing. */
    void beforeClose() {
    }

    /** Loop thread: called once after the close callback, to fail what is still pending. */
    void afterClose() {
    }

    /** Up-call (loop thread): see {@code LoopCallbacks.onClose}. */
    final void onClose() {
        state = CLOSED;
        address = 0;
        loop.unregister(this);
        owner.forget(this);
        try {
            afterClose();
        } finally {
            afterCloseDone = true;
            CompletableFuture<Void> future = closed;
            if (future != null) {
                future.complete(null);
            }
        }
    }

    /**
     * Set on the loop thread once {@link #afterClose()} has run; a close future made later
     * (by {@link #closeFuture()}) is completed at once. Volatile, like {@link #closed}, so
     * that of a concurrent {@code onClose} and {@code closeFuture} at least one sees the
     * other's write and the future is completed.
     */
    private volatile boolean afterCloseDone;

    @Override
    public final boolean isClosed() {
        return state != OPEN;
    }

    @Override
    public final CompletionStage<Void> closeFuture() {
        CompletableFuture<Void> future = closed;
        if (future == null) {
            CompletableFuture<Void> made = new CompletableFuture<>();
            future = CLOSED_FUTURE.compareAndSet(this, null, made) ? made : closed;
            if (afterCloseDone) {
                future.complete(null);
            }
        }
        return future.minimalCompletionStage();
    }

    @Override
    public final boolean isActive() {
        if (state != OPEN) {
            return false;
        }
        try {
            return loop.call(() -> state == OPEN && UvNative.isActive(address));
        } catch (RejectedExecutionException | UvException gone) {
            return false;
        }
    }

    @Override
    public final boolean isClosing() {
        return state != OPEN;
    }

    @Override
    public final void ref() {
        query("ref", () -> {
            UvNative.ref(address);
            return null;
        });
    }

    @Override
    public final void unref() {
        query("unref", () -> {
            UvNative.unref(address);
            return null;
        });
    }

    @Override
    public final boolean hasRef() {
        return query("hasRef", () -> UvNative.hasRef(address));
    }

    @Override
    public final int sendBufferSize() throws UvException {
        return onLoop("sendBufferSize", () -> UvErrors.check(
                UvNative.sendBufferSize(address, 0), "sendBufferSize " + label()));
    }

    @Override
    public final void setSendBufferSize(int bytes) throws UvException {
        requirePositive(bytes, "bytes");
        onLoop("setSendBufferSize", () -> UvErrors.check(
                UvNative.sendBufferSize(address, bytes), "setSendBufferSize " + label()));
    }

    @Override
    public final int receiveBufferSize() throws UvException {
        return onLoop("receiveBufferSize", () -> UvErrors.check(
                UvNative.recvBufferSize(address, 0), "receiveBufferSize " + label()));
    }

    @Override
    public final void setReceiveBufferSize(int bytes) throws UvException {
        requirePositive(bytes, "bytes");
        onLoop("setReceiveBufferSize", () -> UvErrors.check(
                UvNative.recvBufferSize(address, bytes), "setReceiveBufferSize " + label()));
    }

    @Override
    public final int fileno() throws UvException {
        return onLoop("fileno", () -> UvErrors.check(UvNative.fileno(address),
                "fileno " + label()));
    }

    static void requirePositive(int value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, was " + value);
        }
    }

    /** Runs a user callback, logging what it throws: a callback must not break the loop. */
    static void guard(String what, Runnable callback) {
        try {
            callback.run();
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.WARNING, what + " threw", t);
        }
    }

    @Override
    public String toString() {
        return label() + (state == OPEN ? "" : state == CLOSING ? " (closing)" : " (closed)");
    }
}
