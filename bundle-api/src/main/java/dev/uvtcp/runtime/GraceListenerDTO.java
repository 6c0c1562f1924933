package dev.uvtcp.runtime;

import org.osgi.dto.DTO;

/**
 * A whiteboard listener in its grace period: its {@link dev.uvtcp.ConnectionHandler} service
 * went away (unregistered, its bundle stopped, updated or refreshed), and the listening socket
 * stays open for the configured grace period so that the next handler registered for the same
 * address gets the connections that arrive meanwhile. Those connections wait, not accepted, in
 * the socket's accept queue; if no handler comes in time, the listener closes and they are
 * reset.
 */
public class GraceListenerDTO extends DTO {

    /** An empty DTO, to be filled in field by field. */
    public GraceListenerDTO() {
    }

    /** The {@link TcpWhiteboardConstants#UVTCP_SERVER_ADDRESS} property of the last server. */
    public String address;

    /** The address listened on, {@code host:port} ({@code [v6]:port} for IPv6). */
    public String localAddress;

    /** The backlog the socket listens with: the most connections that can wait. */
    public int backlog;

    /** The id of the listening handle ({@link HandleDTO#id}). */
    public long handleId;

    /** The name of the loop the listener runs on. */
    public String loop;

    /** The {@code service.id} of the handler service the listener served last. */
    public long serviceId;

    /** The id of the bundle of that service. */
    public long bundleId;

    /** The symbolic name of the bundle of that service. */
    public String bundleSymbolicName;

    /**
     * Connections that wait for the next handler now (accepted by the kernel, not yet by
     * uvtcp); -1 if that cannot be told.
     */
    public int heldConnections;

    /** Milliseconds until the grace period ends and the listener closes, at the snapshot. */
    public long remainingMillis;
}
