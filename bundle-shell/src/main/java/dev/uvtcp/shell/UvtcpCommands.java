package dev.uvtcp.shell;

import static dev.uvtcp.runtime.TcpWhiteboardConstants.FAILURE_REASON_ADDRESS_IN_USE;
import static dev.uvtcp.runtime.TcpWhiteboardConstants.FAILURE_REASON_ADDRESS_NOT_AVAILABLE;
import static dev.uvtcp.runtime.TcpWhiteboardConstants.FAILURE_REASON_BIND_FAILED;
import static dev.uvtcp.runtime.TcpWhiteboardConstants.FAILURE_REASON_INVALID_ADDRESS;
import static dev.uvtcp.runtime.TcpWhiteboardConstants.FAILURE_REASON_INVALID_PROPERTY;
import static dev.uvtcp.runtime.TcpWhiteboardConstants.FAILURE_REASON_PERMISSION_DENIED;
import static dev.uvtcp.runtime.TcpWhiteboardConstants.FAILURE_REASON_SERVICE_NOT_GETTABLE;

import dev.uvtcp.runtime.FailedServerDTO;
import dev.uvtcp.runtime.GraceListenerDTO;
import dev.uvtcp.runtime.HandleDTO;
import dev.uvtcp.runtime.LoopDTO;
import dev.uvtcp.runtime.RuntimeDTO;
import dev.uvtcp.runtime.ServerDTO;
import dev.uvtcp.runtime.TcpServerRuntime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.component.runtime.ServiceComponentRuntime;

/**
 * {@code uvtcp:loops}, {@code uvtcp:handles} and {@code uvtcp:servers}: what the
 * {@link TcpServerRuntime} reports, as tables. Each command prints its table on
 * {@code System.out}, which both Felix Gogo and the Karaf shell send to the session's output
 * (a returned value would not be printed by Karaf's shell when it runs a command in batch
 * mode, e.g. through {@code bin/client}).
 *
 * <p><b>The commands never throw.</b> The runtime is an optional, dynamic reference, so the
 * commands stay registered while uvtcp is down (its bundle stopped, its loops failed to start,
 * a restart in progress); they then print why instead of a table ({@link DownReason}), read
 * from the framework and the Declarative Services runtime. A failure while reading the
 * runtime is printed the same way.
 *
 * <p>Threading: commands run on the shell's thread; the references may change at any time,
 * so each command reads them once.
 */
@Component(service = UvtcpCommands.class, property = {
    UvtcpCommands.SCOPE_PROPERTY + "=uvtcp",
    UvtcpCommands.FUNCTION_PROPERTY + "=loops",
    UvtcpCommands.FUNCTION_PROPERTY + "=handles",
    UvtcpCommands.FUNCTION_PROPERTY + "=servers"})
public final class UvtcpCommands {

    static final String SCOPE_PROPERTY = "osgi.command.scope";
    static final String FUNCTION_PROPERTY = "osgi.command.function";

    private final BundleContext context;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile TcpServerRuntime runtime;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ServiceComponentRuntime scr;

    /**
     * @param context to explain, from the installed bundles, why the runtime is missing
     */
    @Activate
    public UvtcpCommands(BundleContext context) {
        this.context = context;
    }

    /** Prints one line per loop: its thread, whether it is busy, its handle count. */
    @Descriptor("the uvtcp loops: thread, state, busy or idle, whether libuv watches anything,"
            + " handle count, CPU time")
    public void loops() {
        System.out.print(run(UvtcpCommands::loops));
    }

    /** Prints one line per open handle. */
    @Descriptor("every open uvtcp handle: type, state, addresses, owning bundle, bytes in/out,"
            + " write queue")
    public void handles() {
        System.out.print(run(UvtcpCommands::handles));
    }

    /**
     * Prints one line per whiteboard server, failed ones included, then one per listener in
     * its grace period (with the service and bundle it served last, and how many connections
     * wait on it), then why the failed ones failed.
     */
    @Descriptor("the whiteboard servers (ConnectionHandler services with uvtcp.server.address):"
            + " address, bundle, status, connections; listeners in their grace period with the"
            + " connections they hold")
    public void servers() {
        System.out.print(run(UvtcpCommands::servers));
    }

    /** Formats the runtime's snapshot, or says why there is none. */
    private String run(Function<RuntimeDTO, String> format) {
        return output(runtime, () -> DownReason.of(context, scr), format);
    }

    /**
     * @param runtime the runtime, or null while there is none
     * @param whyDown explains a missing or failing runtime
     * @param format turns the snapshot into a table
     * @return what the command prints; never throws for a missing or failing runtime
     */
    static String output(TcpServerRuntime runtime, Supplier<String> whyDown,
            Function<RuntimeDTO, String> format) {
        if (runtime == null) {
            return notRunning(explain(whyDown));
        }
        RuntimeDTO snapshot;
        try {
            snapshot = runtime.getRuntimeDTO();
        } catch (RuntimeException e) {
            // The runtime went away while it was read (its loops stopped under it).
            return notRunning("reading its runtime failed with " + e + "; " + explain(whyDown));
        }
        return format.apply(snapshot);
    }

    /** The reason, or why it cannot be told (the framework or SCR may be stopping too). */
    private static String explain(Supplier<String> whyDown) {
        try {
            return whyDown.get();
        } catch (RuntimeException e) {
            return "why cannot be told (" + e + ")";
        }
    }

    static String notRunning(String reason) {
        return "uvtcp is not running: " + reason + ".\n";
    }

    static String loops(RuntimeDTO dto) {
        Table table = new Table("LOOP", "THREAD-ID", "THREAD-STATE", "ACTIVITY", "WATCHING",
                "HANDLES", "CPU-MS");
        for (LoopDTO loop : dto.loops) {
            table.row(loop.name, loop.threadId, loop.threadState, loop.busy ? "busy" : "idle",
                    loop.alive ? "yes" : "no", loop.handleCount,
                    loop.cpuTimeMillis < 0 ? null : loop.cpuTimeMillis);
        }
        return table.toString();
    }

    static String handles(RuntimeDTO dto) {
        Table table = new Table("ID", "TYPE", "LOOP", "STATE", "LOCAL", "REMOTE", "BUNDLE",
                "BYTES-IN", "BYTES-OUT", "WRITE-QUEUE", "OWNER");
        for (HandleDTO handle : dto.handles) {
            table.row(handle.id, handle.type.toLowerCase(java.util.Locale.ROOT),
                    handle.loop, handle.state + (handle.reading ? ",reading" : ""),
                    handle.localAddress, handle.remoteAddress,
                    handle.bundleId < 0 ? null : handle.bundleId, handle.bytesRead,
                    handle.bytesWritten, handle.writeQueueSize, handle.owner);
        }
        return table.toString() + table.size() + (table.size() == 1 ? " handle" : " handles")
                + "\n";
    }

    static String servers(RuntimeDTO dto) {
        List<ServerDTO> all = new ArrayList<>(List.of(dto.servers));
        all.addAll(List.of(dto.failedServers));
        all.sort(Comparator.comparingLong(s -> s.serviceId));
        Table table = new Table("SERVICE", "BUNDLE", "ADDRESS", "LISTENING-ON", "STATUS",
                "CONNECTIONS", "ACCEPTED");
        StringBuilder failures = new StringBuilder();
        for (ServerDTO server : all) {
            String status = "serving";
            if (server instanceof FailedServerDTO failed) {
                status = "FAILED: " + reason(failed.failureReason);
                failures.append("service ").append(server.serviceId).append(": ")
                        .append(failed.failureMessage).append('\n');
            }
            table.row(server.serviceId, server.bundleSymbolicName + " [" + server.bundleId + "]",
                    server.address, server.localAddress, status, server.connections,
                    server.acceptedConnections);
        }
        // A runtime older than the grace period has no such field.
        GraceListenerDTO[] graceListeners = dto.graceListeners == null
                ? new GraceListenerDTO[0] : dto.graceListeners;
        for (GraceListenerDTO kept : graceListeners) {
            table.row(kept.serviceId, kept.bundleSymbolicName + " [" + kept.bundleId + "]",
                    kept.address, kept.localAddress, graceStatus(kept), null, null);
        }
        return table.toString() + failures;
    }

    /** E.g. {@code grace: 2 held, 4.2 s left}; the service and bundle are the last ones. */
    static String graceStatus(GraceListenerDTO kept) {
        return "grace: " + (kept.heldConnections < 0 ? "?" : kept.heldConnections) + " held, "
                + String.format(java.util.Locale.ROOT, "%.1f", kept.remainingMillis / 1000.0)
                + " s left";
    }

    static String reason(int failureReason) {
        switch (failureReason) {
            case FAILURE_REASON_INVALID_ADDRESS:
                return "invalid address";
            case FAILURE_REASON_INVALID_PROPERTY:
                return "invalid property";
            case FAILURE_REASON_ADDRESS_IN_USE:
                return "address in use";
            case FAILURE_REASON_PERMISSION_DENIED:
                return "permission denied";
            case FAILURE_REASON_ADDRESS_NOT_AVAILABLE:
                return "address not available";
            case FAILURE_REASON_BIND_FAILED:
                return "bind failed";
            case FAILURE_REASON_SERVICE_NOT_GETTABLE:
                return "service not gettable";
            default:
                return "unknown";
        }
    }
}
