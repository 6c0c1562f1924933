package dev.uvtcp.runtime;

import org.osgi.dto.DTO;

/**
 * A whiteboard server: a {@link dev.uvtcp.ConnectionHandler} service with a
 * {@value TcpWhiteboardConstants#UVTCP_SERVER_ADDRESS} property, and the listener uvtcp bound
 * for it.
 */
public class ServerDTO extends DTO {

    /** An empty DTO, to be filled in field by field. */
    public ServerDTO() {
    }

    /** The {@code service.id} of the {@link dev.uvtcp.ConnectionHandler} service. */
    public long serviceId;

    /** The id of the bundle that registered the service. */
    public long bundleId;

    /** The symbolic name of the bundle that registered the service. */
    public String bundleSymbolicName;

    /** The {@value TcpWhiteboardConstants#UVTCP_SERVER_ADDRESS} property as given. */
    public String address;

    /**
     * The address actually listened on, {@code host:port} ({@code [v6]:port} for IPv6), with
     * the real port when 0 was asked for; null for a failed server.
     */
    public String localAddress;

    /** The backlog used (or that would have been used). */
    public int backlog;

    /** The id of the listening handle ({@link HandleDTO#id}); 0 for a failed server. */
    public long handleId;

    /** The name of the loop the listener runs on; null for a failed server. */
    public String loop;

    /** Accepted connections of this server that are still open. */
    public int connections;

    /** Connections accepted since the service was registered (across rebinds). */
    public long acceptedConnections;
}
