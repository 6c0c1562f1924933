package dev.uvtcp.cdi;

import dev.uvtcp.ListenOptions;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes an {@code @ApplicationScoped} bean implementing {@link dev.uvtcp.ConnectionHandler} a
 * TCP server: the CDI counterpart of an OSGi whiteboard {@code ConnectionHandler} service with
 * {@code uvtcp.server.*} properties, checked and served by the same code.
 *
 * <pre>{@code
 * @ApplicationScoped
 * @TcpServer(name = "echo", address = "127.0.0.1:7007", noDelay = true)
 * public class Echo implements ConnectionHandler {
 *     public void onConnection(Tcp connection) throws UvException {   // on the loop thread
 *         connection.startReading((stream, data) -> stream.write(data));
 *     }
 * }
 * }</pre>
 *
 * <p>Lifetime: the listener is bound when the application starts (the event
 * {@code @Initialized(ApplicationScoped.class)}) and closed, with every connection it accepted,
 * when the application stops. A server that cannot be bound (address in use, invalid address
 * or property, permission denied) is logged (System.Logger {@code dev.uvtcp.whiteboard},
 * WARNING) and listed among the failed servers of the {@link dev.uvtcp.runtime.TcpServerRuntime}
 * bean; the application starts all the same.
 *
 * <p>Configuration: every attribute is a default that configuration may override, under the
 * key {@code NAME/PROPERTY}, where NAME is {@link #name()} (the bean's class name when empty)
 * and PROPERTY the whiteboard property ({@code echo/uvtcp.server.address=127.0.0.1:7100}).
 * The keys are read from MicroProfile Config when the server has it, else from the system
 * properties.
 *
 * <p>Threading: {@code onConnection} runs on a loop thread and must not block.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface TcpServer {

    /**
     * @return {@code host:port}, {@code [v6]:port}, {@code :port} or {@code port}; a host left
     *     out means 127.0.0.1 (never the wildcard); port 0 picks a free port
     *     ({@code uvtcp.server.address})
     */
    String address();

    /** @return the prefix of this server's configuration keys; empty: the bean's class name */
    String name() default "";

    /** @return the listen backlog ({@code uvtcp.server.backlog}) */
    int backlog() default ListenOptions.DEFAULT_BACKLOG;

    /** @return TCP_NODELAY on every accepted connection ({@code uvtcp.server.nodelay}) */
    boolean noDelay() default false;

    /**
     * @return TCP keep-alive delay in seconds for every accepted connection; 0: off
     *     ({@code uvtcp.server.keepalive})
     */
    int keepAlive() default 0;

    /**
     * @return the most connections open at once; 0: no limit
     *     ({@code uvtcp.server.maxConnections})
     */
    int maxConnections() default 0;

    /**
     * @return milliseconds without a read or write after which a connection is closed; 0: never
     *     ({@code uvtcp.server.idleTimeout})
     */
    long idleTimeout() default 0;

    /**
     * @return the write queue limit of each connection in bytes; 0: the service's default
     *     ({@code uvtcp.server.maxWriteQueueBytes})
     */
    long maxWriteQueueBytes() default 0;
}
