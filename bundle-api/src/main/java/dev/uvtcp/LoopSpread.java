package dev.uvtcp;

/**
 * How a server made by
 * {@link TcpService#listen(java.net.InetSocketAddress, ListenOptions, ConnectionHandler)}
 * spreads its accepted connections over the loops of its service
 * ({@link ListenOptions#withLoopSpread(LoopSpread)}). A connection stays on the loop it is
 * given for its whole life: all its callbacks run on that loop's thread.
 *
 * <p>With a service of one loop the three behave the same, except that
 * {@link #LISTENER_PER_LOOP} still sets {@code SO_REUSEPORT}.
 */
public enum LoopSpread {

    /**
     * One listening socket on one loop (chosen like a new handle's); every accepted
     * connection stays on that loop. The default, and libuv's own model.
     */
    ONE_LOOP,

    /**
     * One listening socket per loop, each with {@code SO_REUSEPORT}; the kernel hashes each
     * incoming connection to one of them, so no connection changes threads. Linux only.
     * {@code SO_REUSEPORT} also lets another process of the same user bind the same address.
     * The returned handle is the first loop's listener; closing it closes the others.
     */
    LISTENER_PER_LOOP,

    /**
     * One listening socket on one loop, which accepts every connection and hands them to the
     * loops in turn (round robin, itself included), as Netty's "boss" event loop does for its
     * "worker" group. A connection handed to another loop is moved there before the
     * {@link ConnectionHandler} sees it: the descriptor is duplicated into a new handle on the
     * target loop and the accepting loop's handle is closed, which costs a few system calls
     * per connection more than the other two.
     */
    ACCEPTOR_HANDS_OFF
}
