package dev.uvtcp;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits and settings of a server made by
 * {@link TcpService#listen(java.net.InetSocketAddress, ListenOptions, ConnectionHandler)}.
 * An immutable value: every {@code with...} method returns a copy; instances may be shared
 * between threads and servers.
 *
 * <p>The limits protect a server from its peers:
 * <ul>
 *   <li>{@link #maxConnections()}: at most this many accepted connections of the server are
 *       open at once. A connection beyond the limit is accepted and at once closed with a
 *       reset (the peer sees ECONNRESET or EOF), and the server's
 *       {@link ConnectionHandler#onAcceptError} is told with an {@code ECONNABORTED}
 *       {@link UvException}. Accepting and resetting, rather than leaving the connection in
 *       the kernel's queue, tells the peer at once and keeps the queue free for later ones.
 *   <li>{@link #idleTimeout()}: an accepted connection on which nothing happened for this
 *       long (no bytes read, no write completed) is closed by uvtcp. The check runs on the
 *       connection's loop thread, so it can be late by up to a few milliseconds plus whatever
 *       the loop is busy with.
 *   <li>{@link #maxWriteQueueBytes()}: the {@link Stream#setMaxWriteQueueSize(long) write
 *       queue limit} of every accepted connection.
 * </ul>
 *
 * <p>Scaling past one core: with {@link #withAllLoops(boolean) allLoops}, a service with
 * several loops listens on the address from each of them ({@code SO_REUSEPORT}, one listening
 * socket per loop) and the kernel spreads incoming connections over the loops.
 *
 * <p>The defaults ({@link #defaults()}) are those of
 * {@link TcpService#listen(java.net.InetSocketAddress, int, ConnectionHandler)}: backlog 128,
 * no connection limit, no idle timeout, the service's default write queue limit.
 */
public final class ListenOptions {

    /** Default backlog: 128. */
    public static final int DEFAULT_BACKLOG = 128;

    private static final ListenOptions DEFAULTS =
            new ListenOptions(DEFAULT_BACKLOG, Integer.MAX_VALUE, Duration.ZERO, 0, false);

    private final int backlog;
    private final int maxConnections;
    private final Duration idleTimeout;
    private final long maxWriteQueueBytes;
    private final boolean allLoops;

    private ListenOptions(int backlog, int maxConnections, Duration idleTimeout,
            long maxWriteQueueBytes, boolean allLoops) {
        this.backlog = backlog;
        this.maxConnections = maxConnections;
        this.idleTimeout = idleTimeout;
        this.maxWriteQueueBytes = maxWriteQueueBytes;
        this.allLoops = allLoops;
    }

    /** @return backlog 128, no connection limit, no idle timeout, the service's write limit */
    public static ListenOptions defaults() {
        return DEFAULTS;
    }

    /** @return the kernel's queue length for pending connections ({@code uv_listen}) */
    public int backlog() {
        return backlog;
    }

    /** @return the most accepted connections open at once; {@link Integer#MAX_VALUE}: none */
    public int maxConnections() {
        return maxConnections;
    }

    /** @return how long an accepted connection may be idle before it is closed; zero: never */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /**
     * @return the write queue limit in bytes given to each accepted connection; 0: the
     *     service's default
     */
    public long maxWriteQueueBytes() {
        return maxWriteQueueBytes;
    }

    /**
     * @param value pending connection queue length, &gt;= 0
     * @return a copy with that backlog
     * @throws IllegalArgumentException if value is negative
     */
    public ListenOptions withBacklog(int value) {
        if (value < 0) {
            throw new IllegalArgumentException("backlog must be >= 0, was " + value);
        }
        return new ListenOptions(value, maxConnections, idleTimeout, maxWriteQueueBytes,
                allLoops);
    }

    /**
     * @param value the most accepted connections open at once, &gt;= 1;
     *     {@link Integer#MAX_VALUE} for no limit
     * @return a copy with that limit
     * @throws IllegalArgumentException if value is less than 1
     */
    public ListenOptions withMaxConnections(int value) {
        if (value < 1) {
            throw new IllegalArgumentException("maxConnections must be >= 1, was " + value);
        }
        return new ListenOptions(backlog, value, idleTimeout, maxWriteQueueBytes, allLoops);
    }

    /**
     * @param value idle time after which an accepted connection is closed; zero for never;
     *     at least 1 ms otherwise
     * @return a copy with that timeout
     * @throws NullPointerException if value is null
     * @throws IllegalArgumentException if value is negative or between 0 and 1 ms
     */
    public ListenOptions withIdleTimeout(Duration value) {
        Objects.requireNonNull(value, "idleTimeout");
        if (value.isNegative() || (!value.isZero() && value.toMillis() < 1)) {
            throw new IllegalArgumentException("idleTimeout must be zero or >= 1 ms, was "
                    + value);
        }
        return new ListenOptions(backlog, maxConnections, value, maxWriteQueueBytes,
                allLoops);
    }

    /**
     * @param value write queue limit in bytes for each accepted connection, &gt;= 1; see
     *     {@link Stream#setMaxWriteQueueSize(long)}
     * @return a copy with that limit
     * @throws IllegalArgumentException if value is less than 1
     */
    public ListenOptions withMaxWriteQueueBytes(long value) {
        if (value < 1) {
            throw new IllegalArgumentException("maxWriteQueueBytes must be >= 1, was " + value);
        }
        return new ListenOptions(backlog, maxConnections, idleTimeout, value, allLoops);
    }

    /**
     * @return whether the server listens from every loop of its service (one
     *     {@code SO_REUSEPORT} socket per loop) rather than from one
     */
    public boolean allLoops() {
        return allLoops;
    }

    /**
     * Whether a server listens from every loop of its service. With {@code true} and a
     * service of N loops, {@code listen} opens N listening sockets on the address, one per
     * loop, each with {@code SO_REUSEPORT}; the kernel hashes each incoming connection to one
     * of them, so accepted connections (and their callbacks) are spread over the loops. The
     * returned handle is the listener of the first loop; closing it closes the others.
     * {@link #maxConnections()} counts the connections of all of them together. With one loop
     * this changes nothing, except that {@code SO_REUSEPORT} is still set. Linux only (another
     * process of the same user may then bind the same address too: that is what
     * {@code SO_REUSEPORT} means).
     *
     * @param value true to listen from every loop
     * @return a copy with that setting
     */
    public ListenOptions withAllLoops(boolean value) {
        return new ListenOptions(backlog, maxConnections, idleTimeout, maxWriteQueueBytes, value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ListenOptions other && backlog == other.backlog
                && maxConnections == other.maxConnections
                && idleTimeout.equals(other.idleTimeout)
                && maxWriteQueueBytes == other.maxWriteQueueBytes
                && allLoops == other.allLoops;
    }

    @Override
    public int hashCode() {
        return Objects.hash(backlog, maxConnections, idleTimeout, maxWriteQueueBytes, allLoops);
    }

    @Override
    public String toString() {
        return "ListenOptions[backlog=" + backlog + ", maxConnections="
                + (maxConnections == Integer.MAX_VALUE ? "unlimited" : maxConnections)
                + ", idleTimeout=" + (idleTimeout.isZero() ? "none" : idleTimeout)
                + ", maxWriteQueueBytes="
                + (maxWriteQueueBytes == 0 ? "service default" : maxWriteQueueBytes)
                + (allLoops ? ", allLoops" : "") + "]";
    }
}
