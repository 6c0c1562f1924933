package dev.uvtcp.service;

import dev.uvtcp.HandleClosedException;
import dev.uvtcp.UvException;
import dev.uvtcp.jni.ErrorCodes;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * The acceptor side of {@link dev.uvtcp.LoopSpread#ACCEPTOR_HANDS_OFF}: picks the loop each
 * accepted connection goes to (round robin) and moves it there.
 *
 * <p>libuv cannot move a handle between loops, so a connection is moved by its descriptor: the
 * target loop adopts a duplicate ({@code uv_tcp_open}, which duplicates) into a new handle,
 * and only then is the accepting loop's handle closed; the socket never has no owner.
 *
 * <p>Threading: {@link #dispatch} runs on the listener's loop thread only.
 */
final class ConnectionHandOff {

    private final List<EventLoop> loops;
    /** Makes the handle a connection moves into, owned as the accepted one was. */
    private final TcpFactory factory;
    /** Listener's loop thread only. */
    private int next;

    ConnectionHandOff(TcpFactory factory) {
        this.loops = List.copyOf(factory.loops());
        this.factory = factory;
    }

    /**
     * Listener's loop thread: hands {@code accepted} to the next loop. {@code serve} gets it
     * (or its moved copy) on the thread of the loop it ends up on; if moving fails,
     * {@code accepted} is closed and {@code failed} gets the reason on the listener's loop.
     */
    void dispatch(UvTcp accepted, Consumer<UvTcp> serve, Consumer<UvException> failed) {
        EventLoop target = loops.get(next);
        next = (next + 1) % loops.size();
        if (target == accepted.loop) {
            serve.accept(accepted);
            return;
        }
        int fd = accepted.filenoOnLoop();
        if (fd < 0) {
            accepted.closeOnLoop();
            failed.accept(UvErrors.exception(fd, "hand-off of " + accepted.label()));
            return;
        }
        try {
            target.execute(() -> adopt(target, fd, accepted, serve, failed));
        } catch (RejectedExecutionException targetStopped) {
            accepted.closeOnLoop();
            failed.accept(UvErrors.exception(ErrorCodes.ECANCELED, "hand-off of "
                    + accepted.label() + " to " + target.name() + ": that loop has stopped"));
        }
    }

    /** Target loop thread: the duplicate becomes a handle here; the accepted one is closed. */
    private void adopt(EventLoop target, int fd, UvTcp accepted, Consumer<UvTcp> serve,
            Consumer<UvException> failed) {
        UvTcp moved = null;
        UvException error = null;
        try {
            moved = factory.newTcpOn(target, null); // on target's thread: no waiting
            moved.openOnLoop(fd);
        } catch (UvException e) {
            error = e;
        } catch (HandleClosedException ownerGone) { // the owner was released meanwhile
            error = UvErrors.exception(ErrorCodes.ECANCELED, "hand-off of " + accepted.label()
                    + ": " + ownerGone.getMessage());
        }
        closeOnItsLoop(accepted);
        if (error != null) {
            if (moved != null) {
                moved.closeOnLoop();
            }
            UvException reason = error;
            try {
                accepted.loop.execute(() -> failed.accept(reason));
            } catch (RejectedExecutionException listenerStopped) {
                // its server is gone: nobody to tell
            }
            return;
        }
        serve.accept(moved);
    }

    private static void closeOnItsLoop(UvTcp handle) {
        try {
            handle.loop.execute(handle::closeOnLoop);
        } catch (RejectedExecutionException loopStopped) {
            // that loop closed its handles as it ended
        }
    }
}
