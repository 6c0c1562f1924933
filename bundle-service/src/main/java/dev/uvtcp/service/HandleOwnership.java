package dev.uvtcp.service;

import dev.uvtcp.HandleClosedException;
import java.util.List;

/**
 * What one consumer of the service owns: every handle created for it (and every connection its
 * servers accepted), so that {@link #release()} can close what the consumer left open, and
 * after which no new handle is adopted.
 *
 * <p>Threading: any thread; the list is guarded by {@code this}. Lifetime: the consumer's
 * {@link ConsumerTcpService}'s.
 */
final class HandleOwnership implements HandleOwner {

    private final LoopGroup group;
    private final String ownerName;
    /** The consumer bundle's id, or -1 (outside OSGi); shown by the runtime introspection. */
    private final long ownerBundleId;
    /** Guarded by {@code this}: the handles owned. */
    private final HandleList owned = new HandleList(HandleList.Links.OWNER);
    private volatile boolean released;

    HandleOwnership(LoopGroup group, String ownerName, long ownerBundleId) {
        this.group = group;
        this.ownerName = ownerName;
        this.ownerBundleId = ownerBundleId;
    }

    @Override
    public String ownerName() {
        return ownerName;
    }

    @Override
    public long ownerBundleId() {
        return ownerBundleId;
    }

    @Override
    public void adopt(UvHandle handle) {
        synchronized (this) {
            // Checked under the lock that release() takes: a handle adopted before release
            // is in the list release() closes, and none is adopted after it.
            if (released) {
                throw released("create a handle");
            }
            owned.add(handle);
        }
    }

    @Override
    public synchronized void forget(UvHandle handle) {
        owned.remove(handle);
    }

    /** Any thread: a snapshot of the handles owned now, newest first. */
    synchronized List<UvHandle> handles() {
        return owned.snapshot();
    }

    @Override
    public long defaultMaxWriteQueueBytes() {
        return group.maxWriteQueueBytes();
    }

    @Override
    public LoopTimer timer() {
        return group.timer();
    }

    /** Any thread: whether {@link #release()} was called (a quick check before any work). */
    boolean isReleased() {
        return released;
    }

    /** The exception for {@code operation} refused because the owner has been released. */
    HandleClosedException released(String operation) {
        return new HandleClosedException(operation + ": the TcpService of " + ownerName
                + " has been released");
    }

    /** Closes every handle owned and refuses new ones; waits until each has closed. */
    void release() {
        synchronized (this) {
            released = true;
        }
        for (UvHandle handle : handles()) {
            handle.close();
        }
    }
}
