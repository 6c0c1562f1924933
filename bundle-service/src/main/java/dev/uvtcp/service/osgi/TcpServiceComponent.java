package dev.uvtcp.service.osgi;

import dev.uvtcp.TcpService;
import dev.uvtcp.service.ConsumerTcpService;
import dev.uvtcp.service.PublishedTcpService;
import org.osgi.framework.Bundle;
import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;

/**
 * The {@link TcpService} of one consumer bundle: a Declarative Services component with
 * {@linkplain ServiceScope#BUNDLE bundle scope}, so each bundle that gets the service gets its
 * own instance, over the loops of the {@link LoopGroupComponent} that all instances share.
 *
 * <p>Every handle created through an instance (and every connection accepted by its servers)
 * belongs to the consumer bundle. When the bundle releases the service (it is stopped,
 * updated, refreshed or simply ungets it) or the loops go away (configuration change, the
 * service bundle stops), the instance is deactivated and closes all of them: the consumer's
 * ports are free again and its peers see their connections end. A released instance refuses
 * to create handles.
 */
@Component(service = TcpService.class, scope = ServiceScope.BUNDLE)
public final class TcpServiceComponent extends PublishedTcpService {

    private final String owner;

    /**
     * @param loops the shared loops
     * @param context tells which bundle this instance is for
     */
    @Activate
    public TcpServiceComponent(@Reference(name = "loops") LoopGroupComponent loops,
            ComponentContext context) {
        this(loops, context.getUsingBundle());
    }

    private TcpServiceComponent(LoopGroupComponent loops, Bundle using) {
        super(new ConsumerTcpService(loops.group(), ownerName(using),
                using == null ? -1 : using.getBundleId()));
        this.owner = ownerName(using);
    }

    private static String ownerName(Bundle bundle) {
        if (bundle == null) {
            return "an unknown bundle";
        }
        return "bundle " + bundle.getSymbolicName() + " " + bundle.getVersion() + " ["
                + bundle.getBundleId() + "]";
    }

    /** Closes every handle the consumer bundle still has open and refuses new ones. */
    @Deactivate
    void deactivate() {
        consumer.release();
    }

    @Override
    public String toString() {
        return "TcpService[" + owner + "]";
    }
}
