package dev.uvtcp.service.whiteboard;

import dev.uvtcp.runtime.GraceListenerDTO;
import dev.uvtcp.service.AdoptableListener;
import dev.uvtcp.service.RuntimeIntrospection;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Whiteboard listeners in their grace period: when a whiteboard server goes away (its
 * {@code ConnectionHandler} service is unregistered, its bundle stopped, updated or refreshed),
 * its listener is kept here, holding the connections that arrive (see
 * {@link AdoptableListener}), until the next server for the same address {@linkplain #take
 * takes it} or the grace period ends and it is closed.
 *
 * <p>Keyed by the resolved socket address ({@code 127.0.0.1:7008} and {@code :7008} are the
 * same): the next server's other properties (backlog, limits, socket options) need not match,
 * it applies its own. A listener on port 0 is never kept: no later server asks for its port.
 *
 * <p>Threading: {@link #keep}, {@link #take} and {@link #closeAll} run on the whiteboard's
 * worker thread, which also runs the expiries; {@link #toDTOs} and
 * {@link #setGracePeriodMillis} may be called from any thread.
 */
public final class GraceListeners {

    private final ScheduledExecutorService worker;
    private final Runnable afterExpiry;
    private volatile long gracePeriodMillis;
    /** Written on the worker thread only; read anywhere. */
    private final Map<InetSocketAddress, Kept> kept = new ConcurrentHashMap<>();

    /** A kept listener, what its last server was, and when it expires. */
    private record Kept(AdoptableListener listener, String address, String localAddress,
            int backlog, String loop, long serviceId, long bundleId, String bundleSymbolicName,
            long deadlineNanos, ScheduledFuture<?> expiry) {
    }

    /**
     * @param worker the whiteboard's worker, which runs every other method and the expiries
     * @param gracePeriodMillis how long a listener is kept; 0: never
     * @param afterExpiry run on the worker after a listener closed at the end of its grace
     *     period (servers waiting for its address may bind now)
     */
    public GraceListeners(ScheduledExecutorService worker, long gracePeriodMillis,
            Runnable afterExpiry) {
        this.worker = worker;
        this.afterExpiry = afterExpiry;
        setGracePeriodMillis(gracePeriodMillis);
    }

    /**
     * Grace listeners that keep nothing: a server's listener closes with it. For containers
     * whose servers stop with their application (CDI); nothing is ever scheduled, so there is
     * no worker.
     */
    public static GraceListeners disabled() {
        return new GraceListeners(null, 0, () -> { });
    }

    /**
     * Any thread: the grace period of listeners kept from now on (those already kept keep
     * theirs).
     *
     * @param millis 0 to close listeners at once
     */
    public void setGracePeriodMillis(long millis) {
        if (millis < 0) {
            throw new IllegalArgumentException("the grace period must be >= 0 ms, was "
                    + millis);
        }
        if (millis > 0 && worker == null) {
            throw new IllegalStateException("grace listeners made by disabled() keep nothing");
        }
        gracePeriodMillis = millis;
    }

    /** @return the grace period in milliseconds; 0: off */
    public long gracePeriodMillis() {
        return gracePeriodMillis;
    }

    /**
     * Worker thread: keeps a listener whose server went away for the grace period (it must be
     * holding already), or closes it at once when the grace period is 0, its port was chosen
     * by the system, or it is closed.
     */
    void keep(AdoptableListener listener, WhiteboardServer last, String address,
            String localAddress, int backlog) {
        long millis = gracePeriodMillis;
        InetSocketAddress key = listener.requestedAddress();
        if (millis == 0 || key.getPort() == 0 || !listener.isOpen()) {
            listener.close();
            return;
        }
        Kept previous = kept.remove(key);
        if (previous != null) { // cannot happen (one listener per address): close it anyway
            expire(previous);
        }
        ScheduledFuture<?> expiry;
        try {
            // The worker runs this method too, so the expiry cannot run before the put below.
            expiry = worker.schedule(() -> expireIfCurrent(key, listener), millis,
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            listener.close();
            return;
        }
        Kept entry = new Kept(listener, address, localAddress, backlog,
                listener.tcp().loop().name(), last.serviceId, last.bundleId,
                last.bundleSymbolicName, System.nanoTime()
                        + TimeUnit.MILLISECONDS.toNanos(millis), expiry);
        kept.put(key, entry);
        WhiteboardServer.LOG.log(System.Logger.Level.INFO, "uvtcp whiteboard: keeping the "
                + "listener on {0} open for {1} ms for the next handler of that address "
                + "(connections wait meanwhile)", localAddress, String.valueOf(millis));
    }

    /** Worker thread: the expiry of {@code entry}, unless it was taken meanwhile. */
    private void expireIfCurrent(InetSocketAddress key, AdoptableListener listener) {
        Kept entry = kept.get(key);
        if (entry == null || entry.listener() != listener) {
            return;
        }
        kept.remove(key);
        int waiting = entry.listener().waitingConnections();
        expire(entry);
        WhiteboardServer.LOG.log(System.Logger.Level.INFO, "uvtcp whiteboard: no handler for"
                + " {0} within its grace period: listener closed, {1} waiting connection(s)"
                + " reset", entry.localAddress(), waiting < 0 ? "its" : waiting);
        afterExpiry.run();
    }

    private static void expire(Kept entry) {
        if (entry.expiry() != null) {
            entry.expiry().cancel(false);
        }
        entry.listener().close();
    }

    /**
     * Worker thread: the listener kept for {@code address}, no longer kept (the caller serves
     * or closes it), or null if none is open there.
     */
    AdoptableListener take(InetSocketAddress address) {
        Kept entry = kept.remove(address);
        if (entry == null) {
            return null;
        }
        if (entry.expiry() != null) {
            entry.expiry().cancel(false);
        }
        if (!entry.listener().isOpen()) {
            return null;
        }
        return entry.listener();
    }

    /** Worker thread: closes every kept listener (the whiteboard stops). */
    public void closeAll() {
        for (InetSocketAddress key : List.copyOf(kept.keySet())) {
            Kept entry = kept.remove(key);
            if (entry != null) {
                expire(entry);
            }
        }
    }

    /** Any thread: the kept listeners, by local address. */
    public GraceListenerDTO[] toDTOs() {
        List<GraceListenerDTO> result = new ArrayList<>();
        long now = System.nanoTime();
        for (Kept entry : kept.values()) {
            AdoptableListener listener = entry.listener();
            if (!listener.isOpen()) {
                continue;
            }
            GraceListenerDTO dto = new GraceListenerDTO();
            dto.address = entry.address();
            dto.localAddress = entry.localAddress();
            dto.backlog = entry.backlog();
            dto.handleId = RuntimeIntrospection.handleId(listener.tcp());
            dto.loop = entry.loop();
            dto.serviceId = entry.serviceId();
            dto.bundleId = entry.bundleId();
            dto.bundleSymbolicName = entry.bundleSymbolicName();
            dto.heldConnections = listener.waitingConnections();
            dto.remainingMillis = Math.max(0,
                    TimeUnit.NANOSECONDS.toMillis(entry.deadlineNanos() - now));
            result.add(dto);
        }
        result.sort(Comparator.comparing(dto -> dto.localAddress));
        return result.toArray(new GraceListenerDTO[0]);
    }
}
