package dev.uvtcp.service;

import dev.uvtcp.Tcp;
import dev.uvtcp.TcpService;
import dev.uvtcp.UvException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Listening sockets handed over by a service manager with systemd's socket activation protocol
 * ({@code LISTEN_PID}, {@code LISTEN_FDS}, {@code LISTEN_FDNAMES}; see {@code
 * sd_listen_fds(3)}): descriptors 3, 4, ... of this process, each with a name.
 *
 * <p>The environment is honoured only when {@code LISTEN_PID} is this process's id: a process
 * that merely inherited the variables from a parent (which got the sockets) has no such
 * descriptors. Java cannot remove variables from its own environment, so they stay set; uvtcp
 * never passes them on (whoever starts child processes must not either, or must set {@code
 * LISTEN_PID} to the child's id on purpose).
 *
 * <p>Serve one with {@link ConsumerTcpService#listenInherited} (or {@link TcpService#open} and
 * {@code listen}): that adopts a <em>duplicate</em> of the descriptor. The descriptor itself is
 * never closed by uvtcp and stays open until the process ends, so a listener closed and
 * opened again in the same process (a whiteboard handler updated, the service bundle
 * refreshed) adopts the same socket again, and connections arriving in between wait in its
 * accept queue instead of being refused. The service manager keeps its own copy, so the same
 * holds across a restart of the whole process.
 *
 * <p>Threading: immutable apart from a cache of local addresses; every method may be called
 * from any thread, {@link #matching} not on a loop thread of the probing service (it waits for
 * that loop). Lifetime: {@link #fromEnvironment()} is read once per class loader and kept.
 */
public final class InheritedSockets {

    /** {@code SD_LISTEN_FDS_START}: the first descriptor a service manager hands over. */
    public static final int FIRST_FD = 3;
    /** The name of a socket when {@code LISTEN_FDNAMES} gives none, as systemd says it. */
    public static final String UNKNOWN_NAME = "unknown";

    private static final System.Logger LOG = System.getLogger("dev.uvtcp.activation");
    /** More would be a mistake in the environment, not a service manager's hand-over. */
    private static final int MAX_FDS = 4096;
    private static volatile InheritedSockets fromEnvironment;

    /**
     * One handed-over socket.
     *
     * @param fd its descriptor in this process (3 or more)
     * @param name its name from {@code LISTEN_FDNAMES} (systemd's {@code
     *     FileDescriptorName=}, {@code systemd-socket-activate --fdname}), or {@value
     *     #UNKNOWN_NAME}
     */
    public record InheritedSocket(int fd, String name) {

        /**
         * @throws IllegalArgumentException if {@code fd} is below {@value #FIRST_FD}
         * @throws NullPointerException if {@code name} is null
         */
        public InheritedSocket {
            if (fd < FIRST_FD) {
                throw new IllegalArgumentException("an inherited descriptor is " + FIRST_FD
                        + " or more, was " + fd);
            }
            Objects.requireNonNull(name, "name");
        }

        @Override
        public String toString() {
            return "fd " + fd + " (" + name + ")";
        }
    }

    private final List<InheritedSocket> sockets;
    /** Probed local addresses by descriptor; empty when the descriptor has none. */
    private final Map<Integer, Optional<InetSocketAddress>> addresses = new ConcurrentHashMap<>();

    private InheritedSockets(List<InheritedSocket> sockets) {
        this.sockets = List.copyOf(sockets);
    }

    /**
     * @param sockets the sockets, e.g. descriptors a program got in another way
     * @return them, as if handed over by a service manager
     */
    public static InheritedSockets of(List<InheritedSocket> sockets) {
        return new InheritedSockets(sockets);
    }

    /**
     * The sockets this process was given, read from its environment on the first call.
     *
     * @return them; none if the environment holds no hand-over for this process
     */
    public static InheritedSockets fromEnvironment() {
        InheritedSockets result = fromEnvironment;
        if (result == null) {
            synchronized (InheritedSockets.class) {
                result = fromEnvironment;
                if (result == null) {
                    result = parse(System.getenv(), ProcessHandle.current().pid());
                    if (!result.sockets.isEmpty()) {
                        LOG.log(System.Logger.Level.INFO,
                                "uvtcp: sockets handed over by the service manager: {0}",
                                result.sockets);
                    }
                    fromEnvironment = result;
                }
            }
        }
        return result;
    }

    /**
     * Reads a hand-over as {@code sd_listen_fds_with_names} does. A {@code LISTEN_PID} of
     * another process, or none, means nothing was handed over; malformed values are logged
     * and mean the same (never a guess at descriptors that may be something else).
     *
     * @param environment the variables, e.g. {@link System#getenv()}
     * @param pid the id of the process reading them
     * @return the sockets, in descriptor order
     */
    public static InheritedSockets parse(Map<String, String> environment, long pid) {
        String listenPid = environment.get("LISTEN_PID");
        String listenFds = environment.get("LISTEN_FDS");
        if (listenPid == null || listenFds == null) {
            return new InheritedSockets(List.of());
        }
        long forPid;
        int count;
        try {
            forPid = Long.parseLong(listenPid.trim());
            count = Integer.parseInt(listenFds.trim());
        } catch (NumberFormatException e) {
            LOG.log(System.Logger.Level.WARNING, "uvtcp: ignoring LISTEN_PID={0}"
                    + " LISTEN_FDS={1}: not numbers", listenPid, listenFds);
            return new InheritedSockets(List.of());
        }
        if (forPid != pid) {
            // Meant for another process (this one's parent, typically): not ours.
            return new InheritedSockets(List.of());
        }
        if (count < 0 || count > MAX_FDS) {
            LOG.log(System.Logger.Level.WARNING, "uvtcp: ignoring LISTEN_FDS={0}: expected"
                    + " 0 to {1}", listenFds, MAX_FDS);
            return new InheritedSockets(List.of());
        }
        List<String> names = names(environment.get("LISTEN_FDNAMES"), count);
        List<InheritedSocket> sockets = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            sockets.add(new InheritedSocket(FIRST_FD + i, names.get(i)));
        }
        return new InheritedSockets(sockets);
    }

    private static List<String> names(String fdNames, int count) {
        String[] given = fdNames == null ? new String[0] : fdNames.split(":", -1);
        if (fdNames != null && given.length != count) {
            LOG.log(System.Logger.Level.WARNING, "uvtcp: LISTEN_FDNAMES={0} names {1}"
                    + " sockets, LISTEN_FDS says {2}: the names are ignored", fdNames,
                    given.length, count);
        }
        List<String> names = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            names.add(fdNames != null && given.length == count && !given[i].isEmpty()
                    ? given[i] : UNKNOWN_NAME);
        }
        return names;
    }

    /** @return the sockets, in descriptor order; empty if none was handed over */
    public List<InheritedSocket> sockets() {
        return sockets;
    }

    /** @return true if no socket was handed over */
    public boolean isEmpty() {
        return sockets.isEmpty();
    }

    /**
     * The socket an {@code fd:NAME} address means: the first socket with that name or, if
     * none has it, a descriptor number among the handed-over ones ({@code fd:3}).
     *
     * @param nameOrNumber a name from {@code LISTEN_FDNAMES}, or a descriptor number
     * @return the socket, or empty
     */
    public Optional<InheritedSocket> find(String nameOrNumber) {
        Objects.requireNonNull(nameOrNumber, "nameOrNumber");
        for (InheritedSocket socket : sockets) {
            if (socket.name().equals(nameOrNumber)) {
                return Optional.of(socket);
            }
        }
        for (InheritedSocket socket : sockets) {
            if (String.valueOf(socket.fd()).equals(nameOrNumber)) {
                return Optional.of(socket);
            }
        }
        return Optional.empty();
    }

    /**
     * The socket bound to exactly {@code address} (same IP address and port), so that a
     * server configured with that address serves it instead of binding its own. Each
     * socket's local address is probed once, through a duplicate adopted by {@code probe}
     * and closed again; a socket without one (not a TCP socket) never matches.
     *
     * @param address where a server would bind
     * @param probe the service to probe with; not called on one of its loop threads
     * @return the socket, or empty
     */
    public Optional<InheritedSocket> matching(InetSocketAddress address, TcpService probe) {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(probe, "probe");
        for (InheritedSocket socket : sockets) {
            Optional<InetSocketAddress> local = addresses.computeIfAbsent(socket.fd(),
                    fd -> localAddress(fd, probe));
            if (local.isPresent() && local.get().equals(address)) {
                return Optional.of(socket);
            }
        }
        return Optional.empty();
    }

    private static Optional<InetSocketAddress> localAddress(int fd, TcpService probe) {
        try (Tcp duplicate = probe.open(fd)) {
            return Optional.of(duplicate.localAddress());
        } catch (UvException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "uvtcp: inherited fd " + fd
                    + " has no TCP address: " + e);
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return sockets.isEmpty()
                ? "none (LISTEN_PID and LISTEN_FDS hand no socket to this process)"
                : sockets.toString();
    }
}
