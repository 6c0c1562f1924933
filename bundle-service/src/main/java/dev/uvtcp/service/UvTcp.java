package dev.uvtcp.service;

import dev.uvtcp.BindFlag;
import dev.uvtcp.HandleClosedException;
import dev.uvtcp.ListenHandler;
import dev.uvtcp.Tcp;
import dev.uvtcp.UvException;
import dev.uvtcp.jni.ErrorCodes;
import dev.uvtcp.jni.SocketAddressLayout;
import dev.uvtcp.jni.UvNative;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A libuv TCP handle: the {@code uv_tcp_*} operations on top of stream and handle. */
final class UvTcp extends UvStream implements Tcp {

    /** Loop thread only. */
    private CompletableFuture<Void> pendingConnect;
    /** Loop thread only: what the pending connect is, for messages. */
    private String connectOperation;
    /** Loop thread only: the pending connect's timeout, cancelled when it completes. */
    private ScheduledFuture<?> connectTimeout;
    /**
     * Loop thread only: a connect succeeded. Linux reports success (not EISCONN) for the first
     * connect() after a non-blocking connect completed, whatever the address, so a second
     * connect is refused here.
     */
    private boolean connected;
    /** Loop thread only: what bind was given, for messages. */
    private InetSocketAddress boundTo;
    /**
     * Written on the loop thread, read anywhere: the delay of a {@code setKeepAlive(true, d)}
     * made while the handle had no socket, 0 if none. libuv 1.44 keeps only "on" then and
     * gives the socket it creates later a fixed 60 s; the call that creates the socket (bind,
     * connect, listen) applies this delay right after libuv did.
     */
    private volatile int deferredKeepAliveSeconds;

    private UvTcp(EventLoop loop, HandleOwner owner, DirectBufferPool bufferPool) {
        super(loop, owner, bufferPool);
    }

    /**
     * Loop thread: allocates and initialises a TCP handle.
     *
     * @param family INET or INET6 to make the socket now ({@code uv_tcp_init_ex}); null to
     *     leave that to bind, connect or open ({@code uv_tcp_init})
     */
    static UvTcp createOnLoop(EventLoop loop, HandleOwner owner, DirectBufferPool bufferPool,
            ProtocolFamily family) throws UvException {
        int domain = SocketAddressLayout.domainOf(family);
        UvTcp tcp = new UvTcp(loop, owner, bufferPool);
        int id = loop.handleIdFor(tcp);
        long address = UvNative.tcpInit(loop.address(), domain, id);
        if (address < 0) {
            loop.forgetHandleId(id);
            throw UvErrors.exception((int) address, "tcp init");
        }
        tcp.attachNative(address);
        return tcp;
    }

    @Override
    UvStream newPeerOnLoop() throws UvException {
        return createOnLoop(loop, owner(), bufferPool(), null);
    }

    @Override
    public Tcp accept() throws UvException {
        return (Tcp) onLoop("accept", this::acceptOnLoop);
    }

    @Override
    String describeLocal() {
        return boundTo != null ? SocketAddresses.describe(boundTo) : label();
    }

    @Override
    public void bind(InetSocketAddress address, BindFlag... flags) throws UvException {
        SocketAddresses.requireResolved(address, "address");
        Objects.requireNonNull(flags, "flags");
        boolean ipv6Only = false;
        for (BindFlag flag : flags) {
            ipv6Only |= Objects.requireNonNull(flag, "flag") == BindFlag.IPV6_ONLY;
        }
        boolean v6Only = ipv6Only;
        onLoop("bind", () -> {
            int result = UvNative.tcpBind(this.address, address.getAddress().getAddress(),
                    address.getPort(), SocketAddresses.scopeId(address), v6Only);
            // Even a failed bind may have created the socket.
            applyDeferredKeepAlive();
            UvErrors.check(result, "bind " + SocketAddresses.describe(address));
            boundTo = address;
            return null;
        });
    }

    @Override
    public CompletionStage<Void> connect(InetSocketAddress address) {
        return connect(address, 0);
    }

    @Override
    public CompletionStage<Void> connect(InetSocketAddress address, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        long millis;
        try {
            millis = timeout.toMillis();
        } catch (ArithmeticException huge) {
            millis = Long.MAX_VALUE;
        }
        if (millis < 1) {
            throw new IllegalArgumentException("connect timeout must be >= 1 ms, was " + timeout);
        }
        return connect(address, millis);
    }

    /** @param timeoutMillis 0 for none */
    private CompletionStage<Void> connect(InetSocketAddress address, long timeoutMillis) {
        SocketAddresses.requireResolved(address, "address");
        SocketAddresses.requirePort(address.getPort(), false);
        long startNanos = System.nanoTime();
        CompletableFuture<Void> result = new CompletableFuture<>();
        String operation = "connect " + SocketAddresses.describe(address);
        onLoopAsync("connect", () -> {
            if (pendingConnect != null) {
                result.completeExceptionally(UvErrors.exception(
                        ErrorCodes.EALREADY, operation));
                return;
            }
            if (connected) {
                result.completeExceptionally(UvErrors.exception(
                        ErrorCodes.EISCONN, operation));
                return;
            }
            int status = UvNative.tcpConnect(this.address, address.getAddress().getAddress(),
                    address.getPort(), SocketAddresses.scopeId(address));
            applyDeferredKeepAlive();
            if (status < 0) {
                result.completeExceptionally(UvErrors.exception(status, operation));
                return;
            }
            pendingConnect = result;
            connectOperation = operation;
            if (timeoutMillis > 0) {
                long left = timeoutMillis - (System.nanoTime() - startNanos) / 1_000_000;
                scheduleConnectTimeout(result, Math.max(left, 0), timeoutMillis);
            }
        }, result::completeExceptionally);
        return result;
    }

    /** Loop thread: fails {@code result} with ETIMEDOUT and closes the handle when due. */
    private void scheduleConnectTimeout(CompletableFuture<Void> result, long delayMillis,
            long timeoutMillis) {
        try {
            connectTimeout = owner().timer().schedule(loop, () -> {
                if (pendingConnect != result) {
                    return; // completed meanwhile
                }
                pendingConnect = null;
                connectTimeout = null;
                result.completeExceptionally(UvErrors.exception(ErrorCodes.ETIMEDOUT,
                        connectOperation + " (no connection within " + timeoutMillis
                                + " ms; handle closed)"));
                closeOnLoop();
            }, delayMillis);
        } catch (RejectedExecutionException serviceClosed) {
            // the service is closing: it closes this handle, failing the connect
        }
    }

    /** Up-call (loop thread): see {@code LoopCallbacks.onConnect}. */
    void onConnect(int status) {
        CompletableFuture<Void> result = pendingConnect;
        pendingConnect = null;
        if (connectTimeout != null) {
            connectTimeout.cancel(false);
            connectTimeout = null;
        }
        if (result == null) {
            return;
        }
        if (status == 0) {
            connected = true;
            result.complete(null);
        } else {
            result.completeExceptionally(UvErrors.exception(status, connectOperation));
        }
    }

    @Override
    public InetSocketAddress localAddress() throws UvException {
        return onLoop("localAddress", () -> {
            byte[] raw = SocketAddressLayout.newAddressBytes();
            UvErrors.check(UvNative.tcpSockName(address, raw), "localAddress of " + label());
            return SocketAddressLayout.decode(raw);
        });
    }

    @Override
    public InetSocketAddress remoteAddress() throws UvException {
        return onLoop("remoteAddress", () -> {
            byte[] raw = SocketAddressLayout.newAddressBytes();
            UvErrors.check(UvNative.tcpPeerName(address, raw), "remoteAddress of " + label());
            return SocketAddressLayout.decode(raw);
        });
    }

    @Override
    public void setNoDelay(boolean enable) throws UvException {
        onLoop("setNoDelay", () -> UvErrors.check(UvNative.tcpNoDelay(address, enable),
                "setNoDelay", this));
    }

    @Override
    public boolean isNoDelay() throws UvException {
        return socketOption("isNoDelay", UvNative.OPTION_TCP_NODELAY) != 0;
    }

    @Override
    public void setKeepAlive(boolean enable, int delaySeconds) throws UvException {
        if (enable && delaySeconds < 1) {
            throw new IllegalArgumentException("keep-alive delay must be >= 1 s, was "
                    + delaySeconds);
        }
        onLoop("setKeepAlive", () -> {
            UvErrors.check(UvNative.tcpKeepAlive(address, enable, enable ? delaySeconds : 0),
                    "setKeepAlive " + label());
            deferredKeepAliveSeconds = enable && UvNative.fileno(address) < 0 ? delaySeconds : 0;
            return null;
        });
    }

    @Override
    public void listen(int backlog, ListenHandler handler) throws UvException {
        super.listen(backlog, handler);
        if (deferredKeepAliveSeconds != 0) {
            // libuv's listen creates the socket of a handle that has none
            try {
                onLoop("listen", () -> {
                    applyDeferredKeepAlive();
                    return null;
                });
            } catch (HandleClosedException closedMeanwhile) {
                // no socket left to apply it to
            }
        }
    }

    /**
     * Loop thread, after a call that may have created the socket: gives it the keep-alive
     * delay asked for before it existed, in place of libuv's 60 s.
     */
    private void applyDeferredKeepAlive() {
        int delay = deferredKeepAliveSeconds;
        if (delay == 0 || UvNative.fileno(address) < 0) {
            return;
        }
        deferredKeepAliveSeconds = 0;
        int result = UvNative.tcpKeepAlive(address, true, delay);
        if (result < 0) {
            // setsockopt of valid values on a socket just made; the call that made it succeeded
            // and is not undone for an option, so this is only reported.
            LOG.log(System.Logger.Level.WARNING, "keep-alive delay " + delay + " s on "
                    + label() + " not applied: " + UvNative.errName(result));
        }
    }

    @Override
    public boolean isKeepAlive() throws UvException {
        return socketOption("isKeepAlive", UvNative.OPTION_SO_KEEPALIVE) != 0;
    }

    @Override
    public int keepAliveDelay() throws UvException {
        return socketOption("keepAliveDelay", UvNative.OPTION_TCP_KEEPIDLE);
    }

    private int socketOption(String operation, int option) throws UvException {
        return onLoop(operation, () -> UvErrors.check(UvNative.tcpSocketOption(address, option),
                operation + " " + label()));
    }

    @Override
    public void setSimultaneousAccepts(boolean enable) throws UvException {
        onLoop("setSimultaneousAccepts", () -> UvErrors.check(
                UvNative.tcpSimultaneousAccepts(address, enable),
                "setSimultaneousAccepts " + label()));
    }

    @Override
    public void closeReset() throws UvException {
        if (isClosed()) {
            return;
        }
        try {
            onLoop("closeReset", () -> {
                UvErrors.check(UvNative.tcpCloseReset(address), "closeReset " + label());
                markClosing();
                return null;
            });
        } catch (HandleClosedException closedMeanwhile) {
            // closing twice, in any way, is a no-op
        }
    }

    /** Any thread: {@code SO_REUSEPORT} on the socket (created, not bound yet). */
    void reusePort() throws UvException {
        onLoop("reusePort", () -> UvErrors.check(UvNative.tcpReusePort(address),
                "SO_REUSEPORT on " + label()));
    }

    /** Loop thread: {@code uv_tcp_open} of a duplicate of {@code fd}; fd stays the caller's. */
    void openOnLoop(int fd) throws UvException {
        UvErrors.check(UvNative.tcpOpen(address, fd), "open fd " + fd);
    }

    @Override
    void afterClose() {
        super.afterClose();
        if (connectTimeout != null) {
            connectTimeout.cancel(false);
            connectTimeout = null;
        }
        if (pendingConnect != null) {
            pendingConnect.completeExceptionally(UvErrors.exception(ErrorCodes.ECANCELED,
                    connectOperation));
            pendingConnect = null;
        }
    }

    /** Loop thread: {@code uv_fileno}, or a negative libuv error code. */
    int filenoOnLoop() {
        return UvNative.fileno(address);
    }
}
