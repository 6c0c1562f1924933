package dev.uvtcp.service;

/**
 * Whoever a handle was created for (a consumer's view of the TcpService); told when handles
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
}
