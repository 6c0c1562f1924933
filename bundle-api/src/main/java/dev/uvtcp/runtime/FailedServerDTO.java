package dev.uvtcp.runtime;

/**
 * A whiteboard server that uvtcp could not bind, and why (the counterpart of the HTTP
 * Whiteboard's failed DTOs). The listener-related fields of {@link ServerDTO} are empty.
 */
public class FailedServerDTO extends ServerDTO {

    /** An empty DTO, to be filled in field by field. */
    public FailedServerDTO() {
    }

    /** Why: one of the {@code FAILURE_REASON_*} constants of {@link TcpWhiteboardConstants}. */
    public int failureReason;

    /**
     * What went wrong in words, e.g. the libuv error name and message with the operation
     * ({@code "EADDRINUSE: address already in use (listen 127.0.0.1:7007)"}).
     */
    public String failureMessage;

    /** The libuv error name (e.g. {@code "EADDRINUSE"}) if libuv reported it, else null. */
    public String errorName;
}
