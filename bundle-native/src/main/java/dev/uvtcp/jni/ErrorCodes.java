package dev.uvtcp.jni;

/**
 * The libuv error numbers the service core reacts to, by name, so that no caller spells an
 * error name as a string or knows a platform's numbers: each is looked up once, in the native
 * library's table ({@link UvNative#errCode}), when this class is initialised. Every native
 * method of {@link UvNative} that fails returns one of libuv's negative error numbers; those
 * the core does not single out are only ever turned into exceptions
 * ({@link UvNative#errName}, {@link UvNative#strError}).
 *
 * <p>Threading: any thread. Initialising this class loads the native library.
 */
public final class ErrorCodes {

    /** End of stream: what a read reports when the peer shut its side down. */
    public static final int EOF = UvNative.errCode("EOF");
    /** Nothing could be done now (a try-write the kernel took nothing of, accept with none). */
    public static final int EAGAIN = UvNative.errCode("EAGAIN");
    /** A request ended because its handle closed or its loop stopped. */
    public static final int ECANCELED = UvNative.errCode("ECANCELED");
    /** A write after the stream's write side was shut down or the peer reset. */
    public static final int EPIPE = UvNative.errCode("EPIPE");
    /** No buffer memory: a write the limit or direct memory refused. */
    public static final int ENOBUFS = UvNative.errCode("ENOBUFS");
    /** A connect that did not complete in time. */
    public static final int ETIMEDOUT = UvNative.errCode("ETIMEDOUT");
    /** A connection dropped before it was served (e.g. beyond a connection limit). */
    public static final int ECONNABORTED = UvNative.errCode("ECONNABORTED");
    /** The process is out of descriptors. */
    public static final int EMFILE = UvNative.errCode("EMFILE");
    /** The system is out of descriptors. */
    public static final int ENFILE = UvNative.errCode("ENFILE");
    /** A connect while one is pending. */
    public static final int EALREADY = UvNative.errCode("EALREADY");
    /** A connect on a connected handle. */
    public static final int EISCONN = UvNative.errCode("EISCONN");

    private ErrorCodes() {
    }
}
