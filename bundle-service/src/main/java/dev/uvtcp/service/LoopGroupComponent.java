package dev.uvtcp.service;

import dev.uvtcp.UvException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
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
 * <p><b>A configuration change restarts everything.</b> There is deliberately no
 * {@code @Modified} method: when the configuration is created, updated or deleted, DS
 * deactivates this component and activates a new one with the new values. Before that, every
 * {@code TcpService} bound to the old loops is deactivated, which releases it: each handle
 * every consumer created is closed (listening ports are freed, peers see their connections
 * end). Consumers then get a new {@code TcpService} over the new loops, through their static
 * references (their components are re-activated) or their dynamic ones (re-bound). Apply a
 * configuration change when dropping every connection is acceptable.
 *
 * <p>The service this component registers is internal to the uvtcp service bundle (its package
 * is not exported); consumers use {@link dev.uvtcp.TcpService}.
 */
@Component(
        service = LoopGroupComponent.class,
        immediate = true,
        configurationPid = LoopGroupComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = UvtcpConfiguration.class)
public final class LoopGroupComponent {

    /** The Configuration Admin PID (and Metatype id) of uvtcp's configuration. */
    public static final String PID = "dev.uvtcp";

    private final LoopGroup group;

    /**
     * Starts the loops.
     *
     * @param config the configuration, or its defaults
     * @throws UvException if libuv cannot create a loop (none is left running then)
     * @throws IllegalArgumentException if a configured value is out of range
     */
    @Activate
    public LoopGroupComponent(UvtcpConfiguration config) throws UvException {
        this.group = LoopGroup.start(settings(config));
    }

    static TcpServiceSettings settings(UvtcpConfiguration config) {
        return new TcpServiceSettings(config.loops(), config.readBufferSize(),
                config.threadNamePrefix(), config.maxWriteQueueBytes());
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
}
