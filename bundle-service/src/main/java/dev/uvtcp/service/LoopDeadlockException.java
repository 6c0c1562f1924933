package dev.uvtcp.service;

/**
 * Thrown by a synchronous operation called on one loop's thread for a handle of another loop,
 * when that loop is itself waiting, directly or through further loops, for the calling one:
 * waiting would deadlock both. The operation did not run.
 *
 * <p>{@link UvHandle#close()} never throws it: it then closes without waiting.
 */
final class LoopDeadlockException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    LoopDeadlockException(String message) {
        super(message);
    }
}
