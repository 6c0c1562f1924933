package dev.uvtcp.launcher.console;

import dev.uvtcp.ConnectionHandler;
import dev.uvtcp.runtime.RuntimeDTO;
import dev.uvtcp.runtime.TcpServerRuntime;
import dev.uvtcp.runtime.TcpWhiteboardConstants;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * What the uvtcp whiteboard serves, for the launcher's start-up banner: a service of the JDK
 * type {@link Function} (so that the launcher's {@code main}, outside the framework, can call
 * it), registered with {@value #PROPERTY}{@code =servers}. Applied to a number of milliseconds,
 * it waits at most that long until every whiteboard {@code ConnectionHandler} registered at
 * that moment is either served or has failed, then returns banner lines ({@link ServerLines}).
 *
 * <p>Threading: any thread; the runtime reference may change at any time.
 */
@Component(service = Function.class, property = ServingReport.PROPERTY + "=servers")
public final class ServingReport implements Function<Long, String> {

    /** The service property the launcher looks the report up by. */
    public static final String PROPERTY = "uvtcp.launcher.report";

    private static final long POLL_MILLIS = 50;

    private final BundleContext context;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile TcpServerRuntime runtime;

    /**
     * @param context to find the whiteboard's handlers and the deploy folder
     */
    @Activate
    public ServingReport(BundleContext context) {
        this.context = context;
    }

    /**
     * @param waitMillis how long to wait for the whiteboard to settle
     * @return the banner lines, each ending with a line break
     */
    @Override
    public String apply(Long waitMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        RuntimeDTO snapshot = null;
        while (true) {
            TcpServerRuntime current = runtime;
            snapshot = null;
            if (current != null) {
                try {
                    snapshot = current.getRuntimeDTO();
                } catch (RuntimeException restarting) {
                    snapshot = null;
                }
            }
            if (snapshot != null && everyHandlerIsIn(snapshot)) {
                break;
            }
            if (System.nanoTime() - deadline >= 0) {
                break;
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return ServerLines.format(snapshot, context.getProperty(DeployFolderReport.DIR));
    }

    private boolean everyHandlerIsIn(RuntimeDTO snapshot) {
        Set<Long> known = new HashSet<>();
        for (var server : snapshot.servers) {
            known.add(server.serviceId);
        }
        for (var server : snapshot.failedServers) {
            known.add(server.serviceId);
        }
        Collection<ServiceReference<ConnectionHandler>> handlers;
        try {
            handlers = context.getServiceReferences(ConnectionHandler.class,
                    "(" + TcpWhiteboardConstants.UVTCP_SERVER_ADDRESS + "=*)");
        } catch (InvalidSyntaxException impossible) {
            throw new IllegalStateException(impossible);
        }
        for (ServiceReference<ConnectionHandler> handler : handlers) {
            if (!known.contains((Long) handler.getProperty(Constants.SERVICE_ID))) {
                return false;
            }
        }
        return true;
    }
}
