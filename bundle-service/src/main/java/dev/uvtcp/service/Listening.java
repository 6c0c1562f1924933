package dev.uvtcp.service;

import dev.uvtcp.ListenHandler;

/**
 * What a listening stream holds beyond what a connection holds: its handler, the backlog it
 * listens with (to listen again when accepting resumes after running out of descriptors), and
 * whether that resume is scheduled. Apart from {@link UvStream} so that connections, the many,
 * do not carry these fields.
 *
 * <p>Threading: loop thread only. Lifetime: from a successful {@code listen} until the stream
 * closes or listens again.
 */
final class Listening {

    /**
     * How long accepting pauses when libuv stopped it, out of descriptors: long enough for the
     * loop to sleep instead of spin, short enough to serve soon after descriptors are free.
     */
    static final long PAUSE_AFTER_OUT_OF_DESCRIPTORS_MILLIS = 100;

    final ListenHandler handler;
    final int backlog;
    boolean resumeScheduled;

    Listening(ListenHandler handler, int backlog) {
        this.handler = handler;
        this.backlog = backlog;
    }
}
