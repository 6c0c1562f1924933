package dev.uvtcp;

/**
 * Thrown, or used to fail a stage, when an operation is attempted on a handle that has been
 * closed (by its user, by the peer's reset being handled, or because its service was closed or
 * released). A closed handle never reaches native code again.
 */
public class HandleClosedException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /** @param message names the handle and the operation refused */
    public HandleClosedException(String message) {
        super(message);
    }
}
