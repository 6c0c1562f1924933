package dev.uvtcp;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives what a {@link Stream} reads ({@code uv_read_start}'s callback).
 *
 * <p>Threading: every method is called on the stream's loop thread; none may block.
 * Exceptions thrown are logged and otherwise ignored.
 */
@ConsumerType
@FunctionalInterface
public interface ReadHandler {

    /**
     * Bytes arrived.
     *
     * <p>Buffer lifetime: {@code data} is a read-only view of the loop's read buffer, holding the
     * bytes from its position to its limit; it is valid only until this method returns, and is
     * reused for the next read. Copy what you need to keep. Passing it to
     * {@link Stream#write} is safe: the write copies whatever it cannot send at once.
     *
     * @param stream the stream that read
     * @param data the bytes read, at least one
     */
    void onRead(Stream stream, ByteBuffer data);

    /**
     * The peer shut down its sending side (EOF). Reading has stopped; the stream may still be
     * writable. The default does nothing.
     *
     * @param stream the stream
     */
    default void onEnd(Stream stream) {
    }

    /**
     * Reading failed (e.g. ECONNRESET). Reading has stopped. The default closes the stream.
     *
     * @param stream the stream
     * @param error what libuv reported
     */
    default void onError(Stream stream, UvException error) {
        stream.close();
    }
}
