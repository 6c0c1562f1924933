package dev.uvtcp.service;

import dev.uvtcp.ConnectionHandler;
import dev.uvtcp.Handle;
import dev.uvtcp.ListenOptions;
import dev.uvtcp.Loop;
import dev.uvtcp.Tcp;
import dev.uvtcp.TcpService;
import dev.uvtcp.UvException;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.util.List;
import java.util.concurrent.CompletionStage;
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
public final class TcpServiceComponent implements TcpService {

    private final String owner;
    private final TcpServiceView view;

    /**
     * @param loops the shared loops
     * @param context tells which bundle this instance is for
     */
    @Activate
    public TcpServiceComponent(@Reference(name = "loops") LoopGroupComponent loops,
            ComponentContext context) {
        this.owner = ownerName(context.getUsingBundle());
        Bundle using = context.getUsingBundle();
        this.view = new TcpServiceView(loops.group(), owner,
                using == null ? -1 : using.getBundleId());
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
        view.release();
    }

    @Override
    public Tcp newTcp() throws UvException {
        return view.newTcp();
    }

    @Override
    public Tcp newTcp(ProtocolFamily family) throws UvException {
        return view.newTcp(family);
    }

    @Override
    public Tcp open(int fd) throws UvException {
        return view.open(fd);
    }

    @Override
    public CompletionStage<Tcp> connect(InetSocketAddress address) {
        return view.connect(address);
    }

    @Override
    public CompletionStage<Tcp> connect(String host, int port) {
        return view.connect(host, port);
    }

    @Override
    public Tcp listen(InetSocketAddress address, int backlog, ConnectionHandler handler)
            throws UvException {
        return view.listen(address, backlog, handler);
    }

    @Override
    public Tcp listen(InetSocketAddress address, ListenOptions options,
            ConnectionHandler handler) throws UvException {
        return view.listen(address, options, handler);
    }

    @Override
    public Tcp listen(String host, int port, int backlog, ConnectionHandler handler)
            throws UvException {
        return view.listen(host, port, backlog, handler);
    }

    @Override
    public List<Loop> loops() {
        return view.loops();
    }

    @Override
    public List<Handle> handles() {
        return view.handles();
    }

    @Override
    public String toString() {
        return "TcpService[" + owner + "]";
    }
}
