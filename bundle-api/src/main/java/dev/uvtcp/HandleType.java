package dev.uvtcp;

/**
 * libuv's handle types ({@code uv_handle_type}). uvtcp creates only {@link #TCP} handles;
 * the other constants exist so that every value libuv can report has a name.
 */
public enum HandleType {
    /** {@code UV_UNKNOWN_HANDLE}. */
    UNKNOWN,
    /** {@code UV_ASYNC}. */
    ASYNC,
    /** {@code UV_CHECK}. */
    CHECK,
    /** {@code UV_FS_EVENT}. */
    FS_EVENT,
    /** {@code UV_FS_POLL}. */
    FS_POLL,
    /** {@code UV_HANDLE}. */
    HANDLE,
    /** {@code UV_IDLE}. */
    IDLE,
    /** {@code UV_NAMED_PIPE}. */
    NAMED_PIPE,
    /** {@code UV_POLL}. */
    POLL,
    /** {@code UV_PREPARE}. */
    PREPARE,
    /** {@code UV_PROCESS}. */
    PROCESS,
    /** {@code UV_STREAM}. */
    STREAM,
    /** {@code UV_TCP}. */
    TCP,
    /** {@code UV_TIMER}. */
    TIMER,
    /** {@code UV_TTY}. */
    TTY,
    /** {@code UV_UDP}. */
    UDP,
    /** {@code UV_SIGNAL}. */
    SIGNAL,
    /** {@code UV_FILE}. */
    FILE
}
