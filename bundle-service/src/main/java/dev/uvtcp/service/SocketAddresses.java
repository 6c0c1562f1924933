package dev.uvtcp.service;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/** Checks and converts socket addresses between Java and the native layer's byte layout. */
public final class SocketAddresses {

    private SocketAddresses() {
    }

    /** @return the address, after refusing null and unresolved ones */
    static InetSocketAddress requireResolved(InetSocketAddress address, String what) {
        Objects.requireNonNull(address, what);
        if (address.isUnresolved()) {
            throw new IllegalArgumentException(what + " " + address.getHostString() + ":"
                    + address.getPort() + " is unresolved; pass a resolved address");
        }
        return address;
    }

    /** Checks a port given as a number, before any InetSocketAddress is made of it. */
    static int requirePort(int port, boolean zeroAllowed) {
        if (port < (zeroAllowed ? 0 : 1) || port > 65535) {
            throw new IllegalArgumentException("port out of range " + (zeroAllowed ? 0 : 1)
                    + "..65535: " + port);
        }
        return port;
    }

    /** Resolves a host on the calling thread (which must not be a loop thread if DNS is needed). */
    static InetSocketAddress resolve(String host, int port, boolean zeroPortAllowed) {
        Objects.requireNonNull(host, "host");
        requirePort(port, zeroPortAllowed);
        try {
            return new InetSocketAddress(hostAddress(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve host '" + host + "'", e);
        }
    }

    /**
     * The address of a host name or literal. What can only be meant as a literal address (only
     * digits and dots, or a colon) is parsed and never looked up as a name: a malformed one,
     * such as {@code 999.1.1.1}, is an invalid address rather than an unknown host, and costs
     * no DNS query.
     *
     * @throws IllegalArgumentException for a malformed literal, with "invalid address" and why
     * @throws UnknownHostException if a name cannot be resolved
     */
    public static InetAddress hostAddress(String host) throws UnknownHostException {
        if (!host.isEmpty() && host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'))) {
            byte[] ipv4 = dottedQuad(host);
            if (ipv4 == null) {
                throw new IllegalArgumentException("invalid address '" + host + "': an IPv4 "
                        + "address is four numbers from 0 to 255 (no leading zeros) separated "
                        + "by dots");
            }
            return InetAddress.getByAddress(ipv4);
        }
        if (host.indexOf(':') >= 0) {
            try {
                // With a colon the JDK parses an IPv6 literal and does no lookup.
                return InetAddress.getByName(host);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("invalid address '" + host
                        + "': not an IPv6 address", e);
            }
        }
        return InetAddress.getByName(host);
    }

    /** @return the four bytes of {@code a.b.c.d} (each 0-255, no other form), or null */
    private static byte[] dottedQuad(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            String part = parts[i];
            // A leading zero reads as octal to inet_aton and as decimal elsewhere: refused.
            if (part.isEmpty() || part.length() > 3
                    || (part.length() > 1 && part.charAt(0) == '0')) {
                return null;
            }
            int value = Integer.parseInt(part);
            if (value > 255) {
                return null;
            }
            bytes[i] = (byte) value;
        }
        return bytes;
    }

    static int scopeId(InetSocketAddress address) {
        return address.getAddress() instanceof Inet6Address v6 ? v6.getScopeId() : 0;
    }

    public static String describe(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        String host = ip instanceof Inet6Address ? "[" + ip.getHostAddress() + "]"
                : ip.getHostAddress();
        return host + ":" + address.getPort();
    }
}
