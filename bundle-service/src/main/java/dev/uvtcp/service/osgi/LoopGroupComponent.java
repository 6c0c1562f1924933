package dev.uvtcp.service.osgi;

import dev.uvtcp.UvException;
import dev.uvtcp.service.LoopGroup;
import dev.uvtcp.service.TcpServiceSettings;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The libuv loops of uvtcp in an OSGi framework, shared by every consumer's
 * {@link TcpServiceComponent}: a Declarative Services component that starts the loop threads
 * when it is activated and stops them (closing whatever is still open and joining the threads)
 * when it is deactivated.
 *
 * <p>Configured through Configuration Admin under the PID {@value #PID} (optional: without a
 * configuration the defaults of {@link UvtcpConfiguration} apply) and described to Metatype by
 * {@link UvtcpConfiguration}.
 *
 * <p><b>A bad configuration never takes the loops down.</b> Every configuration is checked
 * first ({@link ConfigurationCheck}); one with a value out of range or of the wrong type
 * ({@code loops = -1}, {@code loops = two}) is rejected with an error naming each bad property
 * and its value (logger {@code dev.uvtcp.configuration}, which the launcher shows on its
 * console), and the loops keep running with the settings they have. A bad configuration
 * present when the bundle starts is rejected the same way and the loops start with the last
 * settings that were accepted in this bundle revision, else with the defaults.
 *
 * <p><b>An accepted change restarts everything.</b> When the settings really change, this
 * component disables and enables itself (from a short-lived thread, {@code
 * uvtcp-configuration-restart}), so that DS deactivates it and activates a new one with the new
 * values. Before that, every {@code TcpService} bound to the old loops is
 * deactivated, which releases it: each handle every consumer created is closed (listening
 * ports are freed, peers see their connections end). Consumers then get a new
 * {@code TcpService} over the new loops, through their static references (their components are
 * re-activated) or their dynamic ones (re-bound). Apply a configuration change when dropping
 * every connection is acceptable. An update that leaves the settings as they are (for
 * instance FileInstall adding its {@code felix.fileinstall.filename} property) restarts
 * nothing.
 *
 * <p>The service this component registers is internal to the uvtcp service bundle (its package
 * is not exported); consumers use {@link dev.uvtcp.TcpService}.
 */
@Component(
        name = LoopGroupComponent.NAME,
        service = LoopGroupComponent.class,
        immediate = true,
        configurationPid = LoopGroupComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = UvtcpConfiguration.class)
public final class LoopGroupComponent {

    /** The Configuration Admin PID (and Metatype id) of uvtcp's configuration. */
    public static final String PID = "dev.uvtcp";

    /** The component's name, to disable and enable itself. */
    static final String NAME = "dev.uvtcp.service.osgi.LoopGroupComponent";

    private static final System.Logger LOG = System.getLogger("dev.uvtcp.configuration");

    /**
     * The settings the latest loops of this bundle revision were started with. Static because
     * the component instance that knew them is gone when DS activates the next one, which
     * falls back on them if its configuration turns out to be bad.
     */
    private static final AtomicReference<TcpServiceSettings> LAST_STARTED =
            new AtomicReference<>();

    private final ComponentContext context;
    private final TcpServiceSettings settings;
    private final LoopGroup group;

    /**
     * Starts the loops with the configuration, or, if it is rejected, with the last accepted
     * settings (the defaults if none).
     *
     * @param config the configuration, or its defaults
     * @param properties the component properties, to quote bad values
     * @param context to restart this component when the configuration changes
     * @throws UvException if libuv cannot create a loop (none is left running then)
     */
    @Activate
    public LoopGroupComponent(UvtcpConfiguration config, Map<String, Object> properties,
            ComponentContext context) throws UvException {
        this.context = context;
        ConfigurationCheck check = ConfigurationCheck.of(config, properties);
        TcpServiceSettings chosen = check.settings();
        if (chosen == null) {
            TcpServiceSettings last = LAST_STARTED.get();
            chosen = last != null ? last : TcpServiceSettings.defaults();
            LOG.log(System.Logger.Level.ERROR, "uvtcp: configuration " + PID + " REJECTED: "
                    + check.describeProblems() + ". The loops start with "
                    + (last != null ? "the last accepted settings" : "the defaults") + " ("
                    + ConfigurationCheck.describe(chosen) + ") until it is fixed.");
        }
        this.settings = chosen;
        this.group = LoopGroup.start(chosen);
        LAST_STARTED.set(chosen);
    }

    /**
     * DS: the configuration was created, updated or deleted. A bad one is rejected and the
     * loops keep running; one that changes the settings restarts the component (see the class
     * comment); one that leaves them as they are does nothing.
     *
     * @param config the new configuration, or the defaults after a deletion
     * @param properties the new component properties, to quote bad values
     */
    @Modified
    void modified(UvtcpConfiguration config, Map<String, Object> properties) {
        ConfigurationCheck check = ConfigurationCheck.of(config, properties);
        if (!check.accepted()) {
            LOG.log(System.Logger.Level.ERROR, "uvtcp: configuration " + PID + " REJECTED: "
                    + check.describeProblems() + ". The loops keep running as they are ("
                    + ConfigurationCheck.describe(settings) + ") until it is fixed.");
            return;
        }
        if (check.settings().equals(settings)) {
            return;
        }
        LOG.log(System.Logger.Level.INFO, "uvtcp: configuration " + PID + " changed ("
                + ConfigurationCheck.describe(check.settings()) + "): restarting the loops,"
                + " which closes every handle of every consumer");
        // Not on this thread: DS holds this component's lock while it calls modified, and the
        // deactivation that disabling queues needs it. Enabling waits until the deactivation
        // (consumers first) is done; the new instance reads the configuration current by then.
        Thread restart = new Thread(() -> {
            try {
                context.disableComponent(NAME);
                context.enableComponent(NAME);
            } catch (IllegalStateException bundleStopping) {
                // the bundle is being stopped: nothing left to restart
            }
        }, "uvtcp-configuration-restart");
        restart.setDaemon(true);
        restart.start();
    }

    /**
     * Stops the loops: closes every handle left on them and joins their threads. When DS calls
     * this on one of the loop threads (a handler stopped the service bundle), a loop cannot
     * wait for its own end: a short-lived thread closes the group instead.
     */
    @Deactivate
    void deactivate() {
        try {
            group.requireOutsideLoops();
        } catch (IllegalStateException onLoopThread) {
            Thread closer = new Thread(group::close, "uvtcp-loop-closer");
            closer.start();
            return;
        }
        group.close();
    }

    /** @return the running loops */
    LoopGroup group() {
        return group;
    }

    /** @return the settings the loops run with */
    TcpServiceSettings settings() {
        return settings;
    }
}
