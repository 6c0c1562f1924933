package dev.uvtcp;

/** Flags of {@link Tcp#bind(java.net.InetSocketAddress, BindFlag...)} ({@code uv_tcp_bind}). */
public enum BindFlag {
    /**
     * {@code UV_TCP_IPV6ONLY}: on an IPv6 address, disable dual-stack support so that the
     * socket accepts IPv6 only. Ignored for IPv4 addresses.
     */
    IPV6_ONLY
}
