package dev.uvtcp;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives what a {@link Stream} reads ({@code uv_read_start}'s callback).
 *
 * <p>Threading: every method is called on the stream's loop thread; none may block.
 * Exceptions thrown are logged and otherwise ignored.
 *
 * <p>Lifetime: a handler that implements only {@link #onRead} (a lambda) leaks nothing: by
 * default the stream is closed when the peer ends its side ({@link #onEnd}: once what is
 * queued was sent) and when reading fails ({@link #onError}: at once), as Netty closes a
 * channel on end of input unless half-closure is allowed. A handler that wants to go on
 * writing after the peer's end of input (half-close) overrides {@link #onEnd} and closes the
 * stream itself later.
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
     * The peer shut down its sending side (EOF). Reading has stopped; the stream is still
     * writable until it is closed.
     *
     * <p>The default finishes the conversation, so that a connection whose peer went away is
     * never left open and an echo loses no answer: it shuts the stream down
     * ({@link Stream#shutdown()}: the writes queued so far are sent first, then the peer reads
     * EOF) and closes it once that is done, or at once if the shutdown fails (the peer reset
     * the connection, or the stream was shut down already). Override it to answer after the
     * peer's end of input (half-close); the stream then stays open until the override (or
     * something later) closes it.
     *
     * @param stream the stream
     */
    default void onEnd(Stream stream) {
        stream.shutdown().whenComplete((shutDown, failed) -> stream.close());
    }

    /**
     * Reading failed (e.g. ECONNRESET). Reading has stopped. The default closes the stream;
     * an override that does not close it must close it later, or it stays open.
     *
     * @param stream the stream
     * @param error what libuv reported
     */
    default void onError(Stream stream, UvException error) {
        stream.close();
    }
}
