package dev.uvtcp.service;

/**
 * How a {@link StandaloneTcpService} is set up. Immutable.
 *
 * @param loops number of loop threads, 1 to 256; handles are spread over them
 * @param readBufferSize bytes of the per-loop read buffer, 1 KiB to 16 MiB: the most one read
 *     callback can deliver
 * @param threadNamePrefix loop threads are named prefix + index, e.g. {@code uvtcp-loop-0}
 * @param maxWriteQueueBytes the write queue limit every new handle starts with
 *     ({@link dev.uvtcp.Stream#setMaxWriteQueueSize(long)}), &gt;= 1; {@link Long#MAX_VALUE}
 *     for none
 */
public record TcpServiceSettings(int loops, int readBufferSize, String threadNamePrefix,
        long maxWriteQueueBytes) {

    /** Default number of loops: one, as libuv is used most often. */
    public static final int DEFAULT_LOOPS = 1;
    /**
     * Default read buffer size: 256 KiB, one per loop. Larger than libuv's suggested 64 KiB
     * because a bulk echo writes what it reads: each read of a busy socket then becomes one
     * write of up to this size, and on loopback four 64 KiB round trips through the kernel
     * cost about twice the CPU per byte of one 256 KiB one ({@code bench/}: pump). Small
     * messages read no more than what arrived, so they are not affected.
     */
    public static final int DEFAULT_READ_BUFFER_SIZE = 256 * 1024;
    /** Default thread name prefix. */
    public static final String DEFAULT_THREAD_NAME_PREFIX = "uvtcp-loop-";
    /**
     * Default write queue limit per handle: 64 MiB, far above what a healthy peer leaves
     * unread, small enough that a few peers that never read cannot exhaust memory.
     */
    public static final long DEFAULT_MAX_WRITE_QUEUE_BYTES = 64L * 1024 * 1024;

    /**
     * @throws IllegalArgumentException if a value is out of range
     * @throws NullPointerException if threadNamePrefix is null
     */
    public TcpServiceSettings {
        if (loops < 1 || loops > 256) {
            throw new IllegalArgumentException("loops must be 1..256, was " + loops);
        }
        if (readBufferSize < 1024 || readBufferSize > 16 * 1024 * 1024) {
            throw new IllegalArgumentException(
                    "readBufferSize must be 1024..16777216, was " + readBufferSize);
        }
        if (threadNamePrefix == null) {
            throw new NullPointerException("threadNamePrefix");
        }
        if (maxWriteQueueBytes < 1) {
            throw new IllegalArgumentException("maxWriteQueueBytes must be >= 1, was "
                    + maxWriteQueueBytes);
        }
    }

    /**
     * Settings with the default write queue limit {@link #DEFAULT_MAX_WRITE_QUEUE_BYTES}.
     *
     * @throws IllegalArgumentException if a value is out of range
     * @throws NullPointerException if threadNamePrefix is null
     */
    public TcpServiceSettings(int loops, int readBufferSize, String threadNamePrefix) {
        this(loops, readBufferSize, threadNamePrefix, DEFAULT_MAX_WRITE_QUEUE_BYTES);
    }

    /**
     * @return the defaults: one loop, 256 KiB reads, threads named {@code uvtcp-loop-N}, 64 MiB
     *     write queue limit per handle
     */
    public static TcpServiceSettings defaults() {
        return new TcpServiceSettings(DEFAULT_LOOPS, DEFAULT_READ_BUFFER_SIZE,
                DEFAULT_THREAD_NAME_PREFIX, DEFAULT_MAX_WRITE_QUEUE_BYTES);
    }

    /** @param count number of loops @return a copy with that many loops */
    public TcpServiceSettings withLoops(int count) {
        return new TcpServiceSettings(count, readBufferSize, threadNamePrefix,
                maxWriteQueueBytes);
    }

    /** @param bytes read buffer size @return a copy with that read buffer size */
    public TcpServiceSettings withReadBufferSize(int bytes) {
        return new TcpServiceSettings(loops, bytes, threadNamePrefix, maxWriteQueueBytes);
    }

    /** @param prefix thread name prefix @return a copy with that prefix */
    public TcpServiceSettings withThreadNamePrefix(String prefix) {
        return new TcpServiceSettings(loops, readBufferSize, prefix, maxWriteQueueBytes);
    }

    /**
     * @param bytes the write queue limit of new handles, &gt;= 1
     * @return a copy with that limit
     */
    public TcpServiceSettings withMaxWriteQueueBytes(long bytes) {
        return new TcpServiceSettings(loops, readBufferSize, threadNamePrefix, bytes);
    }
}
