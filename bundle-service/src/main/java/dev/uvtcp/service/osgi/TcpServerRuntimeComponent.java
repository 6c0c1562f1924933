package dev.uvtcp.service.osgi;

import static dev.uvtcp.runtime.TcpWhiteboardConstants.UVTCP_SERVER_ADDRESS;

import dev.uvtcp.ConnectionHandler;
import dev.uvtcp.runtime.FailedServerDTO;
import dev.uvtcp.runtime.RuntimeDTO;
import dev.uvtcp.runtime.TcpServerRuntime;
import dev.uvtcp.service.LoopGroup;
import dev.uvtcp.service.whiteboard.GraceListeners;
import dev.uvtcp.service.whiteboard.RuntimeSnapshot;
import dev.uvtcp.service.whiteboard.WhiteboardServer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The uvtcp whiteboard and the {@link TcpServerRuntime} service: serves every
 * {@link ConnectionHandler} service that has a {@value
 * dev.uvtcp.runtime.TcpWhiteboardConstants#UVTCP_SERVER_ADDRESS} property.
 *
 * <p>For each such service a listener is bound on the shared loops, owned (like everything a
 * {@code TcpService} creates) by a view of its own that names the handler's bundle, so the
 * shell shows that bundle as the owner of the listener and its connections. When the service
 * is unregistered (or its bundle stops, is updated or refreshed) every connection it accepted
 * is closed and its listener is kept open for the grace period ({@link
 * UvtcpConfiguration#whiteboardGracePeriodMillis()}), holding new connections for the next
 * handler registered for the same address, which takes it over ({@link GraceListeners}); when
 * its {@code uvtcp.server.*} properties are modified the listener is moved; a
 * listener that cannot be bound is recorded as a {@link FailedServerDTO} and logged, and the
 * other servers go on. Servers that failed because their address was in use are tried again
 * whenever another server goes away or moves.
 *
 * <p>Threading: binding waits for a loop and may resolve a host name, so all whiteboard work
 * runs on one worker thread ({@code uvtcp-whiteboard}) in the order DS reports the services.
 * The DS callbacks wait for their work to finish (so that, for instance, the port is free when
 * {@code unregister()} returns), except when DS calls them on a loop thread, which must not
 * wait for the worker that waits for the loop.
 *
 * <p>Immediate, so that the servers are bound as soon as the bundle starts. A configuration
 * change of the loops (PID {@value LoopGroupComponent#PID}) deactivates this component with the
 * loops and activates it again: every whiteboard server is closed and bound anew.
 */
@Component(service = TcpServerRuntime.class, immediate = true,
        configurationPid = LoopGroupComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class TcpServerRuntimeComponent implements TcpServerRuntime {

    private static final long WAIT_SECONDS = 30;

    private final LoopGroup group;
    private final ScheduledExecutorService worker;
    /** Listeners in their grace period; worker thread, but for the DTOs. */
    private final GraceListeners grace;
    /** Written on the worker thread only; read anywhere. */
    private final Map<Long, WhiteboardServer> servers = new ConcurrentSkipListMap<>();

    /**
     * @param loops the shared loops
     * @param config the configuration of PID {@value LoopGroupComponent#PID}, for the grace
     *     period
     * @param properties its properties, to check it as the loops do
     */
    @Activate
    public TcpServerRuntimeComponent(@Reference(name = "loops") LoopGroupComponent loops,
            UvtcpConfiguration config, Map<String, Object> properties) {
        this.group = loops.group();
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "uvtcp-whiteboard");
            thread.setDaemon(true);
            return thread;
        });
        // Grace periods still running when the whiteboard stops end with it (closeAll).
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.setRemoveOnCancelPolicy(true);
        this.worker = executor;
        ConfigurationCheck check = ConfigurationCheck.of(config, properties);
        this.grace = new GraceListeners(worker, check.accepted()
                ? check.whiteboardGracePeriodMillis()
                : UvtcpConfiguration.DEFAULT_WHITEBOARD_GRACE_PERIOD_MILLIS,
                () -> retryServersWhoseAddressWasInUse(null));
    }

    /**
     * DS: the configuration changed. The grace period applies to listeners kept from now on;
     * a rejected configuration (which {@link LoopGroupComponent} reports) changes nothing.
     * Without this method DS would re-activate the component, closing every server.
     *
     * @param config the new configuration
     * @param properties its properties
     */
    @Modified
    void modified(UvtcpConfiguration config, Map<String, Object> properties) {
        ConfigurationCheck check = ConfigurationCheck.of(config, properties);
        if (check.accepted()) {
            grace.setGracePeriodMillis(check.whiteboardGracePeriodMillis());
        }
    }

    /**
     * DS: a {@link ConnectionHandler} with an address appeared: serve it.
     *
     * @param handler the service object
     * @param reference its registration
     */
    @Reference(name = "handlers", service = ConnectionHandler.class,
            cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY,
            target = "(" + UVTCP_SERVER_ADDRESS + "=*)",
            updated = "updatedHandler", unbind = "removeHandler")
    void addHandler(ConnectionHandler handler, ServiceReference<ConnectionHandler> reference) {
        long serviceId = serviceId(reference);
        Map<String, Object> properties = properties(reference);
        Bundle bundle = reference.getBundle();
        long bundleId = bundle == null ? -1 : bundle.getBundleId();
        String bsn = bundle == null ? "?" : bundle.getSymbolicName();
        String version = bundle == null ? "?" : bundle.getVersion().toString();
        runOnWorker(() -> {
            WhiteboardServer server = new WhiteboardServer(group, grace, serviceId, bundleId,
                    bsn, version, handler);
            WhiteboardServer previous = servers.put(serviceId, server);
            if (previous != null) {
                previous.close();
            }
            server.bind(properties);
        });
    }

    /**
     * DS: the properties of a served {@link ConnectionHandler} changed: move its listener if a
     * {@code uvtcp.server.*} property changed.
     *
     * @param reference its registration
     */
    void updatedHandler(ServiceReference<ConnectionHandler> reference) {
        long serviceId = serviceId(reference);
        Map<String, Object> properties = properties(reference);
        runOnWorker(() -> {
            WhiteboardServer server = servers.get(serviceId);
            if (server != null && server.rebindIfChanged(properties)) {
                retryServersWhoseAddressWasInUse(server);
            }
        });
    }

    /**
     * DS: a served {@link ConnectionHandler} went away: close its listener and connections.
     *
     * @param reference its registration
     */
    void removeHandler(ServiceReference<ConnectionHandler> reference) {
        long serviceId = serviceId(reference);
        runOnWorker(() -> {
            WhiteboardServer server = servers.remove(serviceId);
            if (server != null) {
                server.close();
                retryServersWhoseAddressWasInUse(null);
            }
        });
    }

    /** Worker thread. */
    private void retryServersWhoseAddressWasInUse(WhiteboardServer except) {
        for (WhiteboardServer server : servers.values()) {
            if (server != except) {
                server.retryIfAddressWasInUse();
            }
        }
    }

    /** Closes every whiteboard server and stops the worker. */
    @Deactivate
    void deactivate() {
        runOnWorker(() -> {
            for (WhiteboardServer server : servers.values()) {
                server.close();
            }
            servers.clear();
            grace.closeAll();
        });
        worker.shutdown();
        if (group.current() == null) {
            try {
                worker.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public RuntimeDTO getRuntimeDTO() {
        return RuntimeSnapshot.of(group, servers.values(), grace.toDTOs());
    }

    /**
     * Hands {@code work} to the worker and waits for it, unless called on a loop thread (or
     * after deactivation, when nothing is left to do).
     */
    private void runOnWorker(Runnable work) {
        Future<?> done;
        try {
            done = worker.submit(() -> {
                try {
                    work.run();
                } catch (RuntimeException | Error e) {
                    WhiteboardServer.LOG.log(System.Logger.Level.ERROR,
                            "uvtcp whiteboard: unexpected failure", e);
                }
            });
        } catch (RejectedExecutionException deactivated) {
            return;
        }
        if (group.current() != null) {
            return;
        }
        try {
            done.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            WhiteboardServer.LOG.log(System.Logger.Level.WARNING,
                    "uvtcp whiteboard: work not finished within " + WAIT_SECONDS + " s", e);
        }
    }

    private static long serviceId(ServiceReference<?> reference) {
        return (Long) reference.getProperty(Constants.SERVICE_ID);
    }

    private static Map<String, Object> properties(ServiceReference<?> reference) {
        Map<String, Object> properties = new HashMap<>();
        for (String key : reference.getPropertyKeys()) {
            properties.put(key, reference.getProperty(key));
        }
        return properties;
    }
}
