package dev.uvtcp.jni;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * How socket addresses and address families cross the native boundary: the byte layout that
 * {@link UvNative#tcpSockName} and {@link UvNative#tcpPeerName} fill ({@link
 * UvNative#SOCKADDR_BYTES} bytes) and the domain numbers {@link UvNative#tcpInit} takes. Kept
 * here so that the service core speaks only {@link InetSocketAddress} and {@link
 * ProtocolFamily}. Stateless; any thread.
 */
public final class SocketAddressLayout {

    private SocketAddressLayout() {
    }

    /** @return an array for {@link UvNative#tcpSockName} or {@link UvNative#tcpPeerName} to fill */
    public static byte[] newAddressBytes() {
        return new byte[UvNative.SOCKADDR_BYTES];
    }

    /**
     * @param family INET or INET6 to have {@link UvNative#tcpInit} make the socket at once, or
     *     null to leave that to bind, connect or open
     * @return the {@code domain} argument of {@link UvNative#tcpInit} for it
     * @throws IllegalArgumentException for a family TCP has no socket of
     */
    public static int domainOf(ProtocolFamily family) {
        if (family == null) {
            return UvNative.DOMAIN_UNSPEC;
        }
        if (family == StandardProtocolFamily.INET) {
            return UvNative.DOMAIN_INET;
        }
        if (family == StandardProtocolFamily.INET6) {
            return UvNative.DOMAIN_INET6;
        }
        throw new IllegalArgumentException("TCP needs INET or INET6, not " + family);
    }

    /**
     * @param raw an array the native layer filled
     * @return the address it holds
     * @throws IllegalStateException if the bytes are not an address (a native-layer bug)
     */
    public static InetSocketAddress decode(byte[] raw) {
        int port = ((raw[1] & 0xff) << 8) | (raw[2] & 0xff);
        int scope = ((raw[3] & 0xff) << 24) | ((raw[4] & 0xff) << 16) | ((raw[5] & 0xff) << 8)
                | (raw[6] & 0xff);
        try {
            if (raw[0] == 4) {
                return new InetSocketAddress(
                        InetAddress.getByAddress(Arrays.copyOfRange(raw, 7, 11)), port);
            }
            byte[] v6 = Arrays.copyOfRange(raw, 7, 23);
            InetAddress address = scope != 0 ? Inet6Address.getByAddress(null, v6, scope)
                    : InetAddress.getByAddress(v6);
            return new InetSocketAddress(address, port);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("native layer returned a malformed address", e);
        }
    }
}
