package dev.uvtcp.runtime;

import org.osgi.dto.DTO;

/** One libuv loop and its thread. */
public class LoopDTO extends DTO {

    /** An empty DTO, to be filled in field by field. */
    public LoopDTO() {
    }

    /** The loop's (and its thread's) name, e.g. {@code "uvtcp-loop-0"}. */
    public String name;

    /** The loop thread's id ({@link Thread#getId()}). */
    public long threadId;

    /** The loop thread's state ({@link Thread.State} name). */
    public String threadState;

    /**
     * Whether the loop thread was running Java code (a callback or a queued task) at the moment
     * of the snapshot, rather than waiting in libuv for I/O.
     */
    public boolean busy;

    /** Whether the loop has active handles or requests ({@code uv_loop_alive}). */
    public boolean alive;

    /** Open handles on this loop, all consumers together. */
    public int handleCount;

    /** CPU time the loop thread has used in milliseconds; -1 if the JVM cannot tell. */
    public long cpuTimeMillis;
}
