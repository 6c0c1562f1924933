package dev.uvtcp.runtime;

import org.osgi.dto.DTO;

/** What {@link TcpServerRuntime#getRuntimeDTO()} returns: the whole runtime at one moment. */
public class RuntimeDTO extends DTO {

    /** An empty DTO, to be filled in field by field. */
    public RuntimeDTO() {
    }

    /** Whiteboard servers that are listening, ordered by service id; never null. */
    public ServerDTO[] servers;

    /** Whiteboard servers that could not be bound, ordered by service id; never null. */
    public FailedServerDTO[] failedServers;

    /**
     * Listeners kept open in their grace period after their handler went away, waiting for the
     * next handler of their address, ordered by address; never null (empty from a runtime
     * older than this field: treat null as empty).
     *
     * @since 1.1
     */
    public GraceListenerDTO[] graceListeners;

    /** The loops, in their fixed order; never null. */
    public LoopDTO[] loops;

    /** Every open handle of every consumer, by loop then id; never null. */
    public HandleDTO[] handles;
}
