package dev.uvtcp.service.osgi;

import dev.uvtcp.service.TcpServiceSettings;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The configuration of uvtcp in OSGi: Configuration Admin PID {@value LoopGroupComponent#PID},
 * described to Metatype under the same id. Every property is optional; a missing one takes its
 * default, which is also what runs with no configuration at all.
 *
 * <p>Changing any property but {@link #whiteboardGracePeriodMillis()} restarts the loops; a
 * configuration with a value out of range or of the wrong type is rejected as a whole and the
 * loops keep running: see {@link LoopGroupComponent} and {@link ConfigurationCheck}.
 */
@ObjectClassDefinition(
        id = LoopGroupComponent.PID,
        name = "uvtcp",
        description = "libuv TCP handles: the loop threads shared by every TcpService consumer."
                + " Any change but of the whiteboard grace period restarts the loops and"
                + " closes every handle of every consumer,"
                + " which then gets a new TcpService. A configuration with a bad value is"
                + " rejected (logged as an error naming the property) and the loops keep"
                + " running as they are.")
public @interface UvtcpConfiguration {

    /** Default whiteboard grace period: 5 s, far longer than a bundle update takes. */
    long DEFAULT_WHITEBOARD_GRACE_PERIOD_MILLIS = 5000;

    /** Longest whiteboard grace period: 10 minutes. */
    long MAX_WHITEBOARD_GRACE_PERIOD_MILLIS = 600_000;

    /** @return number of loop threads, each running one libuv loop; 1 to 256 */
    @AttributeDefinition(
            name = "Loops",
            description = "Number of libuv loops, each on its own thread; new handles are"
                    + " spread over them round robin (1-256).",
            min = "1", max = "256")
    int loops() default TcpServiceSettings.DEFAULT_LOOPS;

    /** @return bytes of each loop's read buffer: the most one read callback delivers */
    @AttributeDefinition(
            name = "Read buffer size",
            description = "Bytes of each loop's read buffer, the most one read callback can"
                    + " deliver (1024-16777216).",
            min = "1024", max = "16777216")
    int readBufferSize() default TcpServiceSettings.DEFAULT_READ_BUFFER_SIZE;

    /** @return loop threads are named this prefix followed by the loop's index */
    @AttributeDefinition(
            name = "Thread name prefix",
            description = "Loop threads are named this prefix followed by the loop's index,"
                    + " e.g. uvtcp-loop-0 (not blank).")
    String threadNamePrefix() default TcpServiceSettings.DEFAULT_THREAD_NAME_PREFIX;

    /** @return the write queue limit every new handle starts with, in bytes */
    @AttributeDefinition(
            name = "Write queue limit",
            description = "Bytes a handle may hold for writing; a write that would go above"
                    + " fails with ENOBUFS, so a peer that does not read cannot make memory"
                    + " grow without bound. Every new handle starts with this limit and may"
                    + " change it (Stream.setMaxWriteQueueSize). 9223372036854775807 for"
                    + " none.",
            min = "1")
    long maxWriteQueueBytes() default TcpServiceSettings.DEFAULT_MAX_WRITE_QUEUE_BYTES;

    /**
     * @return milliseconds a whiteboard listener stays open after its handler went away,
     *     holding new connections for the next handler of its address; 0: closed at once
     */
    @AttributeDefinition(
            name = "Whiteboard grace period",
            description = "Milliseconds a whiteboard listener stays open after its"
                    + " ConnectionHandler service went away (unregistered, its bundle stopped,"
                    + " updated or refreshed). Connections that arrive meanwhile wait in the"
                    + " listen backlog, not accepted, and go to the next handler registered"
                    + " for the same address; if none comes in time the listener closes and"
                    + " they are reset. Connections the old handler had are closed at once."
                    + " 0 closes the listener at once. Changing it does not restart the loops"
                    + " (0-600000).",
            min = "0", max = "600000")
    long whiteboardGracePeriodMillis() default DEFAULT_WHITEBOARD_GRACE_PERIOD_MILLIS;
}
