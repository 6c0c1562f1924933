package dev.uvtcp.service;

import dev.uvtcp.UvException;
import dev.uvtcp.jni.UvNative;

/**
 * The making of {@link UvException}s from libuv error numbers (the numbers the core reacts to
 * are {@link dev.uvtcp.jni.ErrorCodes}). Any thread.
 */
final class UvErrors {

    private UvErrors() {
    }

    static UvException exception(int code, String operation) {
        return new UvException(code, UvNative.errName(code), UvNative.strError(code), operation);
    }

    /**
     * As {@link #check(int, String)}, with the operation named "{@code verb} {@code subject}"
     * built only on failure: for calls made once per connection (no string per success).
     */
    static int check(int result, String verb, UvHandle subject) throws UvException {
        if (result < 0) {
            throw exception(result, verb + " " + subject.label());
        }
        return result;
    }

    /** Throws if {@code result} is a libuv error code, else returns it. */
    static int check(int result, String operation) throws UvException {
        if (result < 0) {
            throw exception(result, operation);
        }
        return result;
    }
}
