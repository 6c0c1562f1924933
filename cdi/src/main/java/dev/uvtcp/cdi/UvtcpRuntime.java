package dev.uvtcp.cdi;

import dev.uvtcp.ConnectionHandler;
import dev.uvtcp.TcpService;
import dev.uvtcp.UvException;
import dev.uvtcp.runtime.GraceListenerDTO;
import dev.uvtcp.runtime.RuntimeDTO;
import dev.uvtcp.runtime.TcpServerRuntime;
import dev.uvtcp.service.LoopGroup;
import dev.uvtcp.service.TcpServiceSettings;
import dev.uvtcp.service.ConsumerTcpService;
import dev.uvtcp.service.whiteboard.RuntimeSnapshot;
import dev.uvtcp.service.whiteboard.WhiteboardServer;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Reception;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Inject;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * uvtcp in one CDI application: its loops, its {@link TcpService} ({@code @Inject TcpService})
 * and its {@link TcpServer} beans, and the {@link TcpServerRuntime} that describes them
 * ({@code @Inject TcpServerRuntime}: servers, failed servers, loops, handles, as the OSGi
 * runtime service and the {@code uvtcp:*} shell commands show them).
 *
 * <p>Lifetime: the loops start on first use of the {@code TcpService}, or when the application
 * starts if it has {@code @TcpServer} beans, with the {@link TcpServiceSettings} bean (see
 * {@link DefaultSettings}). When the application stops ({@code @BeforeDestroyed
 * (ApplicationScoped.class)}, before any of its beans is destroyed) every server and every
 * handle is closed, the loops are stopped and their threads joined: nothing of the
 * application's class loader stays referenced by a uvtcp thread. The {@code TcpService} cannot
 * be used after that.
 *
 * <p>Threading: every method may be called from any thread but a loop thread of this
 * application, where the service cannot be started or closed.
 */
@ApplicationScoped
public class UvtcpRuntime implements TcpServerRuntime {

    private static final System.Logger LOG = System.getLogger("dev.uvtcp.cdi");

    private final Object lock = new Object();
    /** Guarded by lock: null until started, and again after close. */
    private LoopGroup group;
    /** Guarded by lock: the application's TcpService, over {@link #group}. */
    private ConsumerTcpService view;
    /** Guarded by lock, copied on write: read without it by the runtime DTO. */
    private volatile List<WhiteboardServer> servers = List.of();
    /** Guarded by lock. */
    private boolean closed;
    private String applicationName;

    @Inject
    Instance<TcpServiceSettings> settings;
    @Inject
    UvtcpExtension extension;
    @Inject
    BeanManager beanManager;

    /**
     * The application's {@code TcpService}: handles created through it stay open until closed
     * or until the application stops. Started on its first use.
     *
     * @return the service; the client proxy CDI puts in front of it starts the loops on the
     *     first method call
     * @throws UncheckedIOException (its cause an {@link UvException}) if libuv cannot start a
     *     loop
     * @throws IllegalStateException once the application is stopping
     */
    @Produces
    @ApplicationScoped
    TcpService tcpService() {
        synchronized (lock) {
            start();
            return view;
        }
    }

    /**
     * Container, when the application starts: binds every {@link TcpServer} bean. A server
     * that cannot be bound is logged and listed as failed; the application starts anyway.
     *
     * @param event unused
     */
    void serve(@Observes @Initialized(ApplicationScoped.class) Object event) {
        List<UvtcpExtension.Registration> found = extension.servers();
        if (found.isEmpty()) {
            return;
        }
        synchronized (lock) {
            start();
            List<WhiteboardServer> bound = new ArrayList<>(servers);
            for (UvtcpExtension.Registration registration : found) {
                Bean<?> bean = registration.bean();
                ConnectionHandler handler = (ConnectionHandler) beanManager.getReference(bean,
                        ConnectionHandler.class, beanManager.createCreationalContext(bean));
                WhiteboardServer server = new WhiteboardServer(group, bound.size() + 1,
                        "CDI bean " + bean.getBeanClass().getName() + " of application "
                                + applicationName, handler);
                server.bind(registration.properties());
                bound.add(server);
            }
            servers = List.copyOf(bound);
        }
    }

    /** Lock held: starts the loops and the application's view, once. */
    private void start() {
        if (closed) {
            throw new IllegalStateException("uvtcp: the application " + applicationName
                    + " has stopped: its TcpService is closed");
        }
        if (group != null) {
            return;
        }
        applicationName = applicationName();
        TcpServiceSettings chosen = settings.get();
        try {
            group = LoopGroup.start(chosen);
        } catch (UvException e) {
            throw new UncheckedIOException("uvtcp: cannot start the loops of application "
                    + applicationName, e);
        }
        view = new ConsumerTcpService(group, "application " + applicationName + " (CDI)");
        LOG.log(System.Logger.Level.INFO, "uvtcp: started {0} loop(s) {1}0.. for application {2}",
                chosen.loops(), chosen.threadNamePrefix(), applicationName);
    }

    /**
     * Container, when the application stops, before its beans are destroyed (so no handler
     * bean is gone while its server still accepts).
     *
     * @param event unused
     */
    void stopping(@Observes(notifyObserver = Reception.IF_EXISTS)
            @BeforeDestroyed(ApplicationScoped.class) Object event) {
        close();
    }

    /**
     * Closes every server and handle of the application, stops the loops and joins their
     * threads. Idempotent; also run when this bean is destroyed.
     *
     * @throws IllegalStateException if called on a loop thread
     */
    @PreDestroy
    public void close() {
        synchronized (lock) {
            closed = true;
            if (group == null) {
                return;
            }
            group.requireOutsideLoops();
            for (WhiteboardServer server : servers) {
                server.close();
            }
            view.release();
            group.close();
            group = null;
            LOG.log(System.Logger.Level.INFO, "uvtcp: application {0} stopped: servers and "
                    + "handles closed, loop threads ended", applicationName);
        }
    }

    /**
     * Any thread. Servers that failed stay listed, with their reason.
     *
     * @return the servers, failed servers, loops and open handles of this application; no
     *     loops and no handles when the loops are not running
     */
    @Override
    public RuntimeDTO getRuntimeDTO() {
        LoopGroup current;
        synchronized (lock) {
            current = group;
        }
        // Servers stop with the application: no listener is kept in a grace period.
        return RuntimeSnapshot.of(current, servers, new GraceListenerDTO[0]);
    }

    /** The application's name, as Jakarta EE names it ({@code java:app/AppName}). */
    private static String applicationName() {
        try {
            Object name = InitialContext.doLookup("java:app/AppName");
            return String.valueOf(name);
        } catch (NamingException | RuntimeException outsideJakartaEe) {
            return "(unnamed)";
        }
    }
}
