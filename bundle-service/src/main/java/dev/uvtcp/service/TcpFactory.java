package dev.uvtcp.service;

import dev.uvtcp.UvException;
import java.net.ProtocolFamily;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

/**
 * Makes the TCP handles of one consumer: picks the loop, creates the handle there, and hands it
 * to the consumer's {@link HandleOwnership}.
 *
 * <p>Threading: any thread; a call off the chosen loop waits for it. Lifetime: the consumer's.
 */
final class TcpFactory {

    private final LoopGroup group;
    private final HandleOwnership ownership;

    TcpFactory(LoopGroup group, HandleOwnership ownership) {
        this.group = group;
        this.ownership = ownership;
    }

    /**
     * A new handle: on the calling loop thread's loop when called on one of the group's loops
     * (so that a callback never waits for another loop), else on the next loop, round robin.
     *
     * @param family INET or INET6 to make the socket now, null to leave that to bind/connect
     */
    UvTcp newTcp(ProtocolFamily family) throws UvException {
        EventLoop current = group.current();
        return newTcpOn(current != null ? current : group.next(), family);
    }

    /** A new handle on {@code loop}; see {@link #newTcp}. */
    UvTcp newTcpOn(EventLoop loop, ProtocolFamily family) throws UvException {
        if (ownership.isReleased()) {
            throw ownership.released("create a handle");
        }
        try {
            return loop.call(() -> UvTcp.createOnLoop(loop, ownership, group.bufferPool(),
                    family));
        } catch (RejectedExecutionException loopGone) {
            throw ownership.released("create a handle");
        }
    }

    /**
     * A new handle on {@code loop} (null: as {@link #newTcp} places it) adopting a duplicate of
     * {@code fd}; the native side checks it is a stream socket. Closed again on failure.
     */
    UvTcp adopt(EventLoop loop, int fd) throws UvException {
        UvTcp tcp = loop == null ? newTcp(null) : newTcpOn(loop, null);
        try {
            tcp.onLoop("open", () -> {
                tcp.openOnLoop(fd);
                return null;
            });
        } catch (UvException | RuntimeException e) {
            tcp.close();
            throw e;
        }
        return tcp;
    }

    /** @return every loop of the group, in a fixed order */
    List<EventLoop> loops() {
        return group.eventLoops();
    }
}
