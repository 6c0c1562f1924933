package dev.uvtcp.cdi;

import static dev.uvtcp.runtime.TcpWhiteboardConstants.UVTCP_SERVER_ADDRESS;
import static dev.uvtcp.runtime.TcpWhiteboardConstants.UVTCP_SERVER_BACKLOG;
import static dev.uvtcp.runtime.TcpWhiteboardConstants.UVTCP_SERVER_IDLE_TIMEOUT;
import static dev.uvtcp.runtime.TcpWhiteboardConstants.UVTCP_SERVER_KEEPALIVE;
import static dev.uvtcp.runtime.TcpWhiteboardConstants.UVTCP_SERVER_MAX_CONNECTIONS;
import static dev.uvtcp.runtime.TcpWhiteboardConstants.UVTCP_SERVER_MAX_WRITE_QUEUE_BYTES;
import static dev.uvtcp.runtime.TcpWhiteboardConstants.UVTCP_SERVER_NODELAY;

import dev.uvtcp.ConnectionHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.DefinitionException;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.enterprise.inject.spi.ProcessManagedBean;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the beans annotated {@link TcpServer} while the container discovers beans, so that
 * {@link UvtcpRuntime} can serve them when the application starts. A {@code @TcpServer} bean
 * that is not a {@link ConnectionHandler}, or not application-scoped (or {@code @Singleton}),
 * is a definition error: the deployment fails and says why.
 *
 * <p>Registered through {@code META-INF/services}; the container calls it on its deployment
 * thread. One instance per application.
 */
public class UvtcpExtension implements Extension {

    /** A {@code @TcpServer} bean and its annotation. */
    record Registration(Bean<?> bean, TcpServer server) {

        /** @return the prefix of the server's configuration keys */
        String name() {
            return server.name().isEmpty() ? bean.getBeanClass().getName() : server.name();
        }

        /**
         * Reads the configuration (call at application start).
         *
         * @return the whiteboard properties: the annotation's, overridden by the configuration
         */
        Map<String, Object> properties() {
            Map<String, Object> properties = new LinkedHashMap<>();
            properties.put(UVTCP_SERVER_ADDRESS, server.address());
            properties.put(UVTCP_SERVER_BACKLOG, server.backlog());
            properties.put(UVTCP_SERVER_NODELAY, server.noDelay());
            properties.put(UVTCP_SERVER_KEEPALIVE, server.keepAlive());
            // 0 means "not set": the whiteboard's own defaults then apply.
            if (server.maxConnections() != 0) {
                properties.put(UVTCP_SERVER_MAX_CONNECTIONS, server.maxConnections());
            }
            if (server.idleTimeout() != 0) {
                properties.put(UVTCP_SERVER_IDLE_TIMEOUT, server.idleTimeout());
            }
            if (server.maxWriteQueueBytes() != 0) {
                properties.put(UVTCP_SERVER_MAX_WRITE_QUEUE_BYTES, server.maxWriteQueueBytes());
            }
            for (String key : List.of(UVTCP_SERVER_ADDRESS, UVTCP_SERVER_BACKLOG,
                    UVTCP_SERVER_NODELAY, UVTCP_SERVER_KEEPALIVE, UVTCP_SERVER_MAX_CONNECTIONS,
                    UVTCP_SERVER_IDLE_TIMEOUT, UVTCP_SERVER_MAX_WRITE_QUEUE_BYTES)) {
                // Strings: the whiteboard's checks accept numbers and booleans as text.
                Configuration.value(name() + "/" + key)
                        .ifPresent(value -> properties.put(key, value));
            }
            return properties;
        }
    }

    private final List<Registration> servers = new ArrayList<>();

    /**
     * Container: every managed bean; keeps those annotated {@link TcpServer}.
     *
     * @param <T> the bean class
     * @param event the bean
     */
    <T> void findServers(@Observes ProcessManagedBean<T> event) {
        TcpServer server = event.getAnnotatedBeanClass().getAnnotation(TcpServer.class);
        if (server == null) {
            return;
        }
        Bean<T> bean = event.getBean();
        String name = bean.getBeanClass().getName();
        if (!ConnectionHandler.class.isAssignableFrom(bean.getBeanClass())) {
            event.addDefinitionError(new DefinitionException("uvtcp: " + name
                    + " is annotated @TcpServer but does not implement "
                    + ConnectionHandler.class.getName()));
        } else if (bean.getScope() != ApplicationScoped.class
                && bean.getScope() != Singleton.class) {
            event.addDefinitionError(new DefinitionException("uvtcp: the @TcpServer bean "
                    + name + " must be @ApplicationScoped (one handler serves the application"
                    + " from start to stop), not @" + bean.getScope().getSimpleName()));
        } else {
            servers.add(new Registration(bean, server));
        }
    }

    /** @return the {@code @TcpServer} beans found, in discovery order */
    List<Registration> servers() {
        return List.copyOf(servers);
    }
}
