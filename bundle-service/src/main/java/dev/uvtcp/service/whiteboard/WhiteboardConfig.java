package dev.uvtcp.service.whiteboard;

import static dev.uvtcp.runtime.TcpWhiteboardConstants.FAILURE_REASON_INVALID_ADDRESS;
import static dev.uvtcp.runtime.TcpWhiteboardConstants.FAILURE_REASON_INVALID_PROPERTY;
import static dev.uvtcp.runtime.TcpWhiteboardConstants.UVTCP_SERVER_ADDRESS;
import static dev.uvtcp.runtime.TcpWhiteboardConstants.UVTCP_SERVER_BACKLOG;
import static dev.uvtcp.runtime.TcpWhiteboardConstants.UVTCP_SERVER_IDLE_TIMEOUT;
import static dev.uvtcp.runtime.TcpWhiteboardConstants.UVTCP_SERVER_KEEPALIVE;
import static dev.uvtcp.runtime.TcpWhiteboardConstants.UVTCP_SERVER_MAX_CONNECTIONS;
import static dev.uvtcp.runtime.TcpWhiteboardConstants.UVTCP_SERVER_MAX_WRITE_QUEUE_BYTES;
import static dev.uvtcp.runtime.TcpWhiteboardConstants.UVTCP_SERVER_NODELAY;
import static dev.uvtcp.runtime.TcpWhiteboardConstants.UVTCP_SERVER_PREFIX;

import dev.uvtcp.ListenOptions;
import dev.uvtcp.service.ConsumerTcpService;
import dev.uvtcp.service.SocketAddresses;
import java.lang.reflect.Array;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code uvtcp.server.*} service properties of a whiteboard {@link dev.uvtcp.ConnectionHandler},
 * checked and turned into what {@link ConsumerTcpService#listen} needs.
 *
 * @param address the address property as given (for messages and the DTOs)
 * @param socketAddress where to listen; null when {@code inheritedName} is given
 * @param inheritedName for an {@code fd:NAME} address, the inherited socket to serve
 *     ({@link dev.uvtcp.service.InheritedSockets#find}); else null
 * @param options backlog and limits
 * @param noDelay TCP_NODELAY for accepted connections
 * @param keepAliveSeconds keep-alive delay for accepted connections; 0: off
 */
record WhiteboardConfig(String address, InetSocketAddress socketAddress, String inheritedName,
        ListenOptions options, boolean noDelay, int keepAliveSeconds) {

    /** An address {@code fd:NAME} serves the socket a service manager handed over as NAME. */
    static final String INHERITED_PREFIX = "fd:";

    /** The host used when the address names only a port: loopback, never the wildcard. */
    static final String DEFAULT_HOST = "127.0.0.1";

    /** A property that cannot be used, with the failure reason to report. */
    static final class InvalidException extends Exception {
        private static final long serialVersionUID = 1L;
        final int reason;

        InvalidException(int reason, String message) {
            super(message);
            this.reason = reason;
        }
    }

    /**
     * @return the {@code uvtcp.server.*} entries of {@code properties} as text, sorted: two
     *     registrations serve the same way when these are equal
     */
    static Map<String, String> whiteboardProperties(Map<String, ?> properties) {
        Map<String, String> result = new TreeMap<>();
        properties.forEach((key, value) -> {
            if (key.startsWith(UVTCP_SERVER_PREFIX)) {
                result.put(key, describe(value));
            }
        });
        return result;
    }

    /** @return the address property as text, for the DTOs, whatever it is */
    static String describe(Object value) {
        if (value == null) {
            return null;
        }
        if (value.getClass().isArray()) {
            StringBuilder text = new StringBuilder("[");
            for (int i = 0; i < Array.getLength(value); i++) {
                text.append(i == 0 ? "" : ", ").append(Array.get(value, i));
            }
            return text.append(']').toString();
        }
        return String.valueOf(value);
    }

    /**
     * Checks the properties and resolves the address (a host name is looked up here: call off
     * the loop threads).
     *
     * @throws InvalidException with {@code FAILURE_REASON_INVALID_ADDRESS} or
     *     {@code FAILURE_REASON_INVALID_PROPERTY}
     */
    static WhiteboardConfig parse(Map<String, ?> properties) throws InvalidException {
        Object rawAddress = single(properties.get(UVTCP_SERVER_ADDRESS));
        String inheritedName = inheritedName(rawAddress);
        InetSocketAddress socketAddress = inheritedName != null ? null : parseAddress(rawAddress);
        ListenOptions options = ListenOptions.defaults()
                .withBacklog(intValue(properties, UVTCP_SERVER_BACKLOG,
                        ListenOptions.DEFAULT_BACKLOG, 0));
        Object maxConnections = properties.get(UVTCP_SERVER_MAX_CONNECTIONS);
        if (maxConnections != null) {
            options = options.withMaxConnections(
                    intValue(properties, UVTCP_SERVER_MAX_CONNECTIONS, 0, 1));
        }
        long idle = longValue(properties, UVTCP_SERVER_IDLE_TIMEOUT, 0, 0);
        if (idle > 0) {
            options = options.withIdleTimeout(Duration.ofMillis(idle));
        }
        if (properties.get(UVTCP_SERVER_MAX_WRITE_QUEUE_BYTES) != null) {
            options = options.withMaxWriteQueueBytes(
                    longValue(properties, UVTCP_SERVER_MAX_WRITE_QUEUE_BYTES, 0, 1));
        }
        boolean noDelay = booleanValue(properties, UVTCP_SERVER_NODELAY);
        int keepAlive = intValue(properties, UVTCP_SERVER_KEEPALIVE, 0, 0);
        return new WhiteboardConfig(describe(properties.get(UVTCP_SERVER_ADDRESS)),
                socketAddress, inheritedName, options, noDelay, keepAlive);
    }

    /**
     * @return NAME of an {@code fd:NAME} address (a name from {@code LISTEN_FDNAMES} or an
     *     inherited descriptor's number), or null for any other address
     * @throws InvalidException for {@code fd:} without a name
     */
    static String inheritedName(Object value) throws InvalidException {
        if (!(value instanceof String text)
                || !text.trim().regionMatches(true, 0, INHERITED_PREFIX, 0,
                        INHERITED_PREFIX.length())) {
            return null;
        }
        String name = text.trim().substring(INHERITED_PREFIX.length()).trim();
        if (name.isEmpty()) {
            throw invalidAddress(value, "fd: needs the name of a socket handed over by the"
                    + " service manager (LISTEN_FDNAMES), e.g. fd:echo");
        }
        return name;
    }

    /**
     * {@code host:port}, {@code [v6]:port}, {@code :port}, {@code port} or a number; a missing
     * host means {@value #DEFAULT_HOST}.
     */
    static InetSocketAddress parseAddress(Object value) throws InvalidException {
        if (value == null) {
            throw invalidAddress(null, "no address given");
        }
        if (value instanceof Number number) {
            return new InetSocketAddress(loopback(), port(value, number.toString()));
        }
        if (!(value instanceof String)) {
            throw invalidAddress(value, "expected a String such as \"127.0.0.1:7007\", got a "
                    + value.getClass().getName());
        }
        String text = ((String) value).trim();
        String host;
        String port;
        if (text.startsWith("[")) {
            int end = text.indexOf(']');
            if (end < 0 || end + 1 >= text.length() || text.charAt(end + 1) != ':') {
                throw invalidAddress(value, "expected [ipv6-address]:port");
            }
            host = text.substring(1, end);
            port = text.substring(end + 2);
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0) {
                host = "";
                port = text;
            } else if (text.indexOf(':') != colon) {
                throw invalidAddress(value, "an IPv6 address needs brackets: [address]:port");
            } else {
                host = text.substring(0, colon);
                port = text.substring(colon + 1);
            }
        }
        int portNumber = port(value, port);
        if (host.isEmpty()) {
            return new InetSocketAddress(loopback(), portNumber);
        }
        try {
            return new InetSocketAddress(SocketAddresses.hostAddress(host), portNumber);
        } catch (IllegalArgumentException malformed) {
            throw invalidAddress(value, malformed.getMessage());
        } catch (UnknownHostException | SecurityException e) {
            throw invalidAddress(value, "unknown host " + host);
        }
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByName(DEFAULT_HOST);
        } catch (UnknownHostException cannotHappen) {
            throw new IllegalStateException(cannotHappen);
        }
    }

    private static int port(Object value, String text) throws InvalidException {
        try {
            int port = Integer.parseInt(text.trim());
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw invalidAddress(value, "the port must be a number from 0 to 65535, was \""
                + text + "\"");
    }

    private static InvalidException invalidAddress(Object value, String why) {
        return new InvalidException(FAILURE_REASON_INVALID_ADDRESS, UVTCP_SERVER_ADDRESS
                + (value == null ? "" : "=" + describe(value)) + ": " + why);
    }

    /** A one-element array or collection stands for its element; more are refused. */
    private static Object single(Object value) throws InvalidException {
        if (value instanceof Collection<?> collection) {
            value = collection.toArray();
        }
        if (value != null && value.getClass().isArray()) {
            if (Array.getLength(value) != 1) {
                throw invalidAddress(value, "one address per service, not "
                        + Array.getLength(value));
            }
            return Array.get(value, 0);
        }
        return value;
    }

    private static int intValue(Map<String, ?> properties, String key, int absent, int min)
            throws InvalidException {
        long value = longValue(properties, key, absent, min);
        if (value > Integer.MAX_VALUE) {
            throw invalidProperty(key, properties.get(key), "an integer up to "
                    + Integer.MAX_VALUE);
        }
        return (int) value;
    }

    private static long longValue(Map<String, ?> properties, String key, long absent, long min)
            throws InvalidException {
        Object value = single(properties.get(key));
        if (value == null) {
            return absent;
        }
        long number;
        if (value instanceof Byte || value instanceof Short || value instanceof Integer
                || value instanceof Long) {
            number = ((Number) value).longValue();
        } else if (value instanceof String text) {
            try {
                number = Long.parseLong(text.trim());
            } catch (NumberFormatException e) {
                throw invalidProperty(key, value, "an integer >= " + min);
            }
        } else {
            throw invalidProperty(key, value, "an integer >= " + min);
        }
        if (number < min) {
            throw invalidProperty(key, value, "an integer >= " + min);
        }
        return number;
    }

    private static boolean booleanValue(Map<String, ?> properties, String key)
            throws InvalidException {
        Object value = single(properties.get(key));
        if (value == null) {
            return false;
        }
        if (value instanceof Boolean flag) {
            return flag;
        }
        if (value instanceof String text) {
            if (text.trim().equalsIgnoreCase("true")) {
                return true;
            }
            if (text.trim().equalsIgnoreCase("false")) {
                return false;
            }
        }
        throw invalidProperty(key, value, "true or false");
    }

    private static InvalidException invalidProperty(String key, Object value, String expected) {
        return new InvalidException(FAILURE_REASON_INVALID_PROPERTY, key + "=" + describe(value)
                + ": expected " + expected);
    }
}
