package dev.uvtcp.service;

/**
 * Whoever a handle was created for (a consumer's {@link HandleOwnership}); told when handles
 * open and end so that it can close what is left when it goes away.
 */
interface HandleOwner {

    /**
     * Records a new handle.
     *
     * @throws dev.uvtcp.HandleClosedException if the owner has already gone away; the caller
     *     then closes the handle
     */
    void adopt(UvHandle handle);

    /** Forgets a handle that has closed. */
    void forget(UvHandle handle);

    /** @return the write queue limit a new stream of this owner starts with; any thread */
    long defaultMaxWriteQueueBytes();

    /** @return the scheduler for this owner's connect and idle timeouts; any thread */
    LoopTimer timer();

    /** @return who this owner is, for introspection (e.g. a bundle's name); any thread */
    default String ownerName() {
        return toString();
    }

    /** @return the id of the bundle this owner stands for, or -1; any thread */
    default long ownerBundleId() {
        return -1;
    }
}
