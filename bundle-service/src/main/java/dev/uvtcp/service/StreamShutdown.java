package dev.uvtcp.service;

import dev.uvtcp.jni.UvNative;
import java.util.concurrent.CompletableFuture;

/**
 * A stream's half-close ({@code uv_shutdown}): the request libuv has not finished, and whether
 * one was accepted (a write refused afterwards says so). Made on the first {@code shutdown()},
 * so that the many streams never shut down carry one null field.
 *
 * <p>Threading: loop thread only. Lifetime: the stream's, once made.
 */
final class StreamShutdown {

    private final UvStream stream;
    /** The stage of the shutdown libuv has not finished, or null. */
    private CompletableFuture<Void> pending;
    /** Set once libuv accepted a shutdown; it stays set. */
    private boolean requested;

    StreamShutdown(UvStream stream) {
        this.stream = stream;
    }

    /** Whether libuv accepted a shutdown of the stream. */
    boolean requested() {
        return requested;
    }

    /**
     * Asks libuv to shut the stream down; {@code result} completes when it has (or at once with
     * libuv's error). No check of our own: libuv answers ENOTCONN for a stream that is not
     * writable, already shut or shutting down, or closing, and callers expect libuv's answer.
     */
    void request(CompletableFuture<Void> result) {
        int status = UvNative.shutdown(stream.address);
        if (status < 0) {
            result.completeExceptionally(UvErrors.exception(status, "shutdown " + stream.label()
                    + (requested ? " (a shutdown was already requested)" : "")));
            return;
        }
        requested = true;
        pending = result;
    }

    /** Up-call (loop thread): see {@code LoopCallbacks.onShutdown}. */
    void onShutdown(int status) {
        CompletableFuture<Void> result = pending;
        // libuv has one shutdown request per stream: once it ended, none is pending.
        pending = null;
        if (result == null) {
            return;
        }
        if (status == 0) {
            result.complete(null);
        } else {
            result.completeExceptionally(UvErrors.exception(status, "shutdown "
                    + stream.label()));
        }
    }
}
