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
 * <p>Scaling past one core: {@link #withLoopSpread(LoopSpread)} chooses how a service with
 * several loops spreads the accepted connections over them: not at all ({@link
 * LoopSpread#ONE_LOOP}, the default), one {@code SO_REUSEPORT} listener per loop ({@link
 * LoopSpread#LISTENER_PER_LOOP}), or one acceptor handing connections to every loop ({@link
 * LoopSpread#ACCEPTOR_HANDS_OFF}).
 *
 * <p>The defaults ({@link #defaults()}) are those of
 * {@link TcpService#listen(java.net.InetSocketAddress, int, ConnectionHandler)}: backlog 128,
 * no connection limit, no idle timeout, the service's default write queue limit.
 */
public final class ListenOptions {

    /** Default backlog: 128. */
    public static final int DEFAULT_BACKLOG = 128;

    private static final ListenOptions DEFAULTS =
            new ListenOptions(DEFAULT_BACKLOG, Integer.MAX_VALUE, Duration.ZERO, 0,
                    LoopSpread.ONE_LOOP);

    private final int backlog;
    private final int maxConnections;
    private final Duration idleTimeout;
    private final long maxWriteQueueBytes;
    private final LoopSpread loopSpread;

    private ListenOptions(int backlog, int maxConnections, Duration idleTimeout,
            long maxWriteQueueBytes, LoopSpread loopSpread) {
        this.backlog = backlog;
        this.maxConnections = maxConnections;
        this.idleTimeout = idleTimeout;
        this.maxWriteQueueBytes = maxWriteQueueBytes;
        this.loopSpread = loopSpread;
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
                loopSpread);
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
        return new ListenOptions(backlog, value, idleTimeout, maxWriteQueueBytes, loopSpread);
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
                loopSpread);
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
        return new ListenOptions(backlog, maxConnections, idleTimeout, value, loopSpread);
    }

    /** @return how accepted connections are spread over the service's loops */
    public LoopSpread loopSpread() {
        return loopSpread;
    }

    /**
     * How accepted connections are spread over the loops of the service; see
     * {@link LoopSpread}. {@link #maxConnections()} counts the connections of all loops
     * together.
     *
     * @param value the spread
     * @return a copy with that spread
     * @throws NullPointerException if value is null
     */
    public ListenOptions withLoopSpread(LoopSpread value) {
        Objects.requireNonNull(value, "loopSpread");
        return new ListenOptions(backlog, maxConnections, idleTimeout, maxWriteQueueBytes,
                value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ListenOptions other && backlog == other.backlog
                && maxConnections == other.maxConnections
                && idleTimeout.equals(other.idleTimeout)
                && maxWriteQueueBytes == other.maxWriteQueueBytes
                && loopSpread == other.loopSpread;
    }

    @Override
    public int hashCode() {
        return Objects.hash(backlog, maxConnections, idleTimeout, maxWriteQueueBytes,
                loopSpread);
    }

    @Override
    public String toString() {
        return "ListenOptions[backlog=" + backlog + ", maxConnections="
                + (maxConnections == Integer.MAX_VALUE ? "unlimited" : maxConnections)
                + ", idleTimeout=" + (idleTimeout.isZero() ? "none" : idleTimeout)
                + ", maxWriteQueueBytes="
                + (maxWriteQueueBytes == 0 ? "service default" : maxWriteQueueBytes)
                + ", loopSpread=" + loopSpread + "]";
    }
}
