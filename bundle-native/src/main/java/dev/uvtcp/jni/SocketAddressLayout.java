package dev.uvtcp.jni;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * The socket address layout {@link UvNative#tcpSockName} and {@link UvNative#tcpPeerName} fill
 * ({@link UvNative#SOCKADDR_BYTES} bytes), decoded here so that the layout stays inside the
 * native boundary. Stateless; any thread.
 */
public final class SocketAddressLayout {

    private SocketAddressLayout() {
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
