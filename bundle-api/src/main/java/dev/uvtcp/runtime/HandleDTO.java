package dev.uvtcp.runtime;

import org.osgi.dto.DTO;

/** One open handle. */
public class HandleDTO extends DTO {

    /** An empty DTO, to be filled in field by field. */
    public HandleDTO() {
    }

    /** The handle's id, unique in the runtime (the number in names such as {@code tcp#12}). */
    public long id;

    /** Its libuv type ({@link dev.uvtcp.HandleType} name), e.g. {@code "TCP"}. */
    public String type;

    /** The name of its loop. */
    public String loop;

    /**
     * Its state: {@code "listening"}, {@code "connected"}, {@code "open"} (neither, e.g. not
     * yet bound or connected) or {@code "closing"}.
     */
    public String state;

    /** Whether it is reading ({@link dev.uvtcp.Stream#startReading}). */
    public boolean reading;

    /** Its local address as {@code host:port}, or null if it has none. */
    public String localAddress;

    /** Its peer's address as {@code host:port}, or null if it is not connected. */
    public String remoteAddress;

    /** The id of the bundle that owns it; -1 outside OSGi or when not known. */
    public long bundleId;

    /** Who owns it, e.g. {@code "bundle dev.uvtcp.examples.echoplugin 0.1.0 [12]"}. */
    public String owner;

    /** Bytes read from it so far. */
    public long bytesRead;

    /** Bytes written to it so far (writes that completed). */
    public long bytesWritten;

    /** Bytes queued in libuv waiting to be written ({@code write_queue_size}). */
    public long writeQueueSize;
}
