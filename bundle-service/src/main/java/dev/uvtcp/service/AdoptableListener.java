package dev.uvtcp.service;

import dev.uvtcp.ConnectionHandler;
import dev.uvtcp.HandleClosedException;
import dev.uvtcp.ListenHandler;
import dev.uvtcp.ListenOptions;
import dev.uvtcp.LoopSpread;
import dev.uvtcp.Stream;
import dev.uvtcp.Tcp;
import dev.uvtcp.UvException;
import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;

/**
 * A listening socket that outlives the servers it serves: one {@link ConsumerTcpService} after
 * the other accepts its connections, and between two of them the connections wait.
 *
 * <p>While it {@linkplain #serve serves} a consumer, it behaves exactly as a listener made by
 * {@link ConsumerTcpService#listen(InetSocketAddress, ListenOptions, ConnectionHandler)} with
 * {@link LoopSpread#ONE_LOOP} (the same {@link ListeningServer} policy): every connection
 * becomes a handle owned by that consumer (closed when it is released), with the options
 * applied. While it {@linkplain #hold holds}, nothing is
 * accepted: libuv takes the first connection from the kernel and stops watching the socket
 * until it is accepted, and the others wait in the kernel's accept queue, bounded by the
 * backlog (beyond it the kernel drops connection attempts, which their clients retry: none is
 * refused). The next {@link #serve} accepts them all, in order. {@link #close} resets what
 * waits.
 *
 * <p>The listener handle itself is owned by this object, which the runtime introspection shows
 * under the name of the consumer it serves (or of its holder, while it holds), so the shell
 * shows the serving bundle as the owner of its listener, as for any other server.
 *
 * <p>Threading: every public method may be called from any thread but the loop threads of its
 * group (they wait for the listener's loop). Lifetime: open from {@link #listen} until
 * {@link #close}, or until its loops stop.
 */
public final class AdoptableListener implements HandleOwner {

    private final LoopGroup group;
    private final UvTcp tcp;
    private final InetSocketAddress requested;
    private volatile String ownerName;
    private volatile long ownerBundleId;
    private volatile boolean serving;
    /** Loop thread only: what serves connections now, or null while holding. */
    private ListenHandler current;
    /** Loop thread only: libuv took a connection the holding listener has not accepted. */
    private boolean waiting;
    /** Loop thread only: the backlog the socket listens with. */
    private int backlog;

    private AdoptableListener(LoopGroup group, InetSocketAddress requested, String ownerName,
            long ownerBundleId) throws UvException {
        this.group = group;
        this.requested = requested;
        this.ownerName = ownerName;
        this.ownerBundleId = ownerBundleId;
        EventLoop loop = group.next();
        try {
            this.tcp = loop.call(() -> UvTcp.createOnLoop(loop, this, group.bufferPool(),
                    null));
        } catch (RejectedExecutionException loopGone) {
            throw new HandleClosedException("listen on " + SocketAddresses.describe(requested)
                    + ": the loops have stopped");
        }
    }

    /**
     * Binds and listens on {@code address}; holding until {@link #serve} is called.
     *
     * @param address where to listen; port 0 picks a free port
     * @param backlog the kernel's accept queue length
     * @param ownerName who the listener is shown as owned by until it serves
     * @param ownerBundleId that owner's bundle id, or -1
     * @throws UvException if it cannot bind or listen (EADDRINUSE surfaces here)
     */
    public static AdoptableListener listen(LoopGroup group, InetSocketAddress address,
            int backlog, String ownerName, long ownerBundleId) throws UvException {
        SocketAddresses.requireResolved(address, "address");
        if (backlog < 0) {
            throw new IllegalArgumentException("backlog must be >= 0, was " + backlog);
        }
        AdoptableListener listener = new AdoptableListener(group, address, ownerName,
                ownerBundleId);
        try {
            listener.tcp.bind(address);
            listener.tcp.onLoop("listen", () -> {
                listener.listenOnLoop(backlog);
                return null;
            });
        } catch (UvException | RuntimeException e) {
            listener.tcp.close();
            throw e;
        }
        return listener;
    }

    /** Loop thread: listens (again) with {@code newBacklog}; a waiting connection stays. */
    private void listenOnLoop(int newBacklog) throws UvException {
        tcp.listen(newBacklog, this::onConnection);
        backlog = newBacklog;
    }

    /** Loop thread: libuv has a connection (or an accept error) for the listener. */
    private void onConnection(Stream listener, UvException error) {
        ListenHandler serving = current;
        if (serving != null) {
            serving.onConnection(listener, error);
        } else if (error == null) {
            // Not accepted: libuv keeps it and stops watching until uv_accept takes it.
            waiting = true;
        }
    }

    /**
     * Hands this listener's connections, those waiting first, to {@code consumer}: each
     * becomes a handle of that consumer, served by {@code handler} with {@code options}, as
     * the listener of {@code consumer.listen(address, options, handler)} would. A different
     * backlog is applied by listening again. Until {@link #hold} is called, {@code consumer}
     * must not be released.
     *
     * @throws IllegalArgumentException if {@code options} spread connections over the loops
     *     (only {@link LoopSpread#ONE_LOOP} is supported)
     * @throws UvException if listening again with the new backlog fails
     * @throws HandleClosedException if the listener is closed
     */
    public void serve(ConsumerTcpService consumer, ListenOptions options,
            ConnectionHandler handler) throws UvException {
        Objects.requireNonNull(consumer, "consumer");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(handler, "handler");
        if (options.loopSpread() != LoopSpread.ONE_LOOP) {
            throw new IllegalArgumentException("an adoptable listener serves on one loop, not "
                    + options.loopSpread());
        }
        ListenHandler acceptor = consumer.servingOneLoop(options, handler);
        HandleOwner served = consumer.owner();
        tcp.onLoop("serve", () -> {
            if (options.backlog() != backlog) {
                listenOnLoop(options.backlog());
            }
            current = acceptor;
            ownerName = served.ownerName();
            ownerBundleId = served.ownerBundleId();
            serving = true;
            if (waiting) {
                // uv_accept restarts libuv's watcher: the rest of the queue follows.
                waiting = false;
                acceptor.onConnection(tcp, null);
            }
            return null;
        });
    }

    /**
     * Stops serving: from now on connections wait (see the class comment) until the next
     * {@link #serve}. When this returns, the consumer served so far gets no more connections
     * and may be released. Does nothing on a closed listener.
     *
     * @param holderName who the listener is shown as owned by meanwhile
     */
    public void hold(String holderName) {
        if (!tcp.isOpen()) {
            return;
        }
        try {
            tcp.onLoop("hold", () -> {
                current = null;
                serving = false;
                ownerName = holderName;
                ownerBundleId = -1;
                return null;
            });
        } catch (UvException | HandleClosedException closedMeanwhile) {
            // closed (its loops stopped): nothing is accepted any more
        }
    }

    /**
     * Closes the listener. Connections that wait are reset (RST): the one libuv took is
     * accepted and closed with a reset, the kernel resets those in its queue when the socket
     * closes. Waits until the descriptor is closed. Idempotent.
     */
    public void close() {
        if (tcp.isOpen()) {
            try {
                tcp.onLoop("close", () -> {
                    current = null;
                    serving = false;
                    if (waiting) {
                        waiting = false;
                        resetWaiting();
                    }
                    // In the same task: uv_accept above restarted libuv's watcher, and a poll
                    // before the close would take the next connection only to close it (FIN).
                    tcp.closeOnLoop();
                    return null;
                });
            } catch (UvException | HandleClosedException closedMeanwhile) {
                // its loops stopped: closed with them
            }
        }
        tcp.close();
    }

    /** Loop thread: accepts the connection libuv holds and resets it. */
    private void resetWaiting() {
        try {
            ((UvTcp) tcp.acceptOnLoop(this)).closeReset();
        } catch (UvException | RuntimeException e) {
            UvHandle.LOG.log(System.Logger.Level.DEBUG, "reset of a connection waiting on "
                    + tcp.label() + ": " + e);
        }
    }

    /** @return true until closed (or its loops stopped) */
    public boolean isOpen() {
        return tcp.isOpen();
    }

    /** @return true while a consumer is served, false while holding or closed */
    public boolean isServing() {
        return serving && tcp.isOpen();
    }

    /** @return the address {@link #listen} was given (port 0 stays 0) */
    public InetSocketAddress requestedAddress() {
        return requested;
    }

    /** @return the listening handle, for its address, id and loop */
    public Tcp tcp() {
        return tcp;
    }

    /**
     * Connections that wait to be accepted now: the one libuv took plus the kernel's accept
     * queue of the socket (read from {@code /proc/net/tcp} and {@code tcp6}, the queue of a
     * listening socket being its receive queue there).
     *
     * @return their number, or -1 if it cannot be told (closed, no procfs, or called on
     *     another loop's thread)
     */
    public int waitingConnections() {
        EventLoop current = EventLoop.current();
        if (current != null && current != tcp.loop) {
            return -1; // a loop thread must not wait for another loop
        }
        int[] known = new int[2];
        try {
            tcp.onLoop("waitingConnections", () -> {
                known[0] = waiting ? 1 : 0;
                known[1] = tcp.filenoOnLoop();
                return null;
            });
        } catch (UvException | HandleClosedException | RejectedExecutionException closed) {
            return -1;
        }
        if (known[1] < 0) {
            return -1;
        }
        int queued = acceptQueueLength(known[1]);
        return queued < 0 ? -1 : known[0] + queued;
    }

    /**
     * The accept queue length of the listening socket {@code fd} of this process, or -1: the
     * socket's inode from {@code /proc/self/fd}, its line in {@code /proc/net/tcp[6]} (state
     * {@code 0A}, LISTEN), whose {@code rx_queue} the kernel fills with the accept queue length
     * for listening sockets.
     */
    static int acceptQueueLength(int fd) {
        String inode;
        try {
            String link = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            if (!link.startsWith("socket:[") || !link.endsWith("]")) {
                return -1;
            }
            inode = link.substring("socket:[".length(), link.length() - 1);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return -1;
        }
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try (BufferedReader lines = Files.newBufferedReader(Path.of(table))) {
                lines.readLine(); // the header
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    String[] fields = line.trim().split("\\s+");
                    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt
                    // uid timeout inode ...
                    if (fields.length > 9 && fields[9].equals(inode) && fields[3].equals("0A")) {
                        String queues = fields[4];
                        return Integer.parseInt(queues.substring(queues.indexOf(':') + 1), 16);
                    }
                }
            } catch (IOException | RuntimeException unreadable) {
                return -1;
            }
        }
        return -1;
    }

    // ------------------------------------------------------------ HandleOwner

    @Override
    public void adopt(UvHandle handle) {
        // The listener, and a waiting connection accepted only to be reset.
    }

    @Override
    public void forget(UvHandle handle) {
        // nothing kept
    }

    @Override
    public LoopGroup group() {
        return group;
    }

    @Override
    public String ownerName() {
        return ownerName;
    }

    @Override
    public long ownerBundleId() {
        return ownerBundleId;
    }
}
