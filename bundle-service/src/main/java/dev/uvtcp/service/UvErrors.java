package dev.uvtcp.service;

import dev.uvtcp.UvException;
import dev.uvtcp.jni.UvNative;

/** libuv error codes the core reacts to, looked up once, and the making of UvExceptions. */
final class UvErrors {

    static final int EOF = UvNative.errCode("EOF");
    static final int EAGAIN = UvNative.errCode("EAGAIN");
    static final int ECANCELED = UvNative.errCode("ECANCELED");
    static final int EPIPE = UvNative.errCode("EPIPE");
    static final int ENOBUFS = UvNative.errCode("ENOBUFS");
    static final int ETIMEDOUT = UvNative.errCode("ETIMEDOUT");
    static final int ECONNABORTED = UvNative.errCode("ECONNABORTED");
    static final int EMFILE = UvNative.errCode("EMFILE");
    static final int ENFILE = UvNative.errCode("ENFILE");
    static final int EALREADY = UvNative.errCode("EALREADY");
    static final int EISCONN = UvNative.errCode("EISCONN");

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
