package dev.uvtcp;

/** Flags of {@link Tcp#bind(java.net.InetSocketAddress, BindFlag...)} ({@code uv_tcp_bind}). */
public enum BindFlag {
    /**
     * {@code UV_TCP_IPV6ONLY}: on an IPv6 address, disable dual-stack support so that the
     * socket accepts IPv6 only. Given with an IPv4 address, {@code bind} throws a
     * {@link UvException} EINVAL at the call (libuv's answer) and nothing is bound.
     */
    IPV6_ONLY
}
