package dev.uvtcp;

import java.io.IOException;
import java.util.Objects;

/**
 * An error reported by libuv, with its error code, the libuv error name and what uvtcp was
 * doing when it happened.
 *
 * <p>Example message: {@code "bind 127.0.0.1:7007: EADDRINUSE (address already in use)"}.
 * Instances are immutable and may be passed between threads.
 */
public class UvException extends IOException {

    private static final long serialVersionUID = 1L;

    /** The negative libuv error code. */
    private final int code;
    /** The libuv error name. */
    private final String errorName;
    /** The operation that failed, with its subject. */
    private final String operation;

    /**
     * @param code the negative libuv error code (the negated errno on Unix, e.g. -98)
     * @param errorName the libuv error name, e.g. {@code "EADDRINUSE"}
     * @param description libuv's text for the error ({@code uv_strerror})
     * @param operation what was being done, with its subject, e.g. {@code "bind 127.0.0.1:7007"}
     */
    public UvException(int code, String errorName, String description, String operation) {
        super(Objects.requireNonNull(operation, "operation") + ": "
                + Objects.requireNonNull(errorName, "errorName") + " ("
                + Objects.requireNonNull(description, "description") + ")");
        this.code = code;
        this.errorName = errorName;
        this.operation = operation;
    }

    /** @return the negative libuv error code, e.g. {@code -98} for EADDRINUSE on Linux */
    public int code() {
        return code;
    }

    /** @return the libuv error name, e.g. {@code "ECONNREFUSED"}; stable across platforms */
    public String errorName() {
        return errorName;
    }

    /** @return the operation that failed and its subject, e.g. {@code "connect 127.0.0.1:1"} */
    public String operation() {
        return operation;
    }
}
