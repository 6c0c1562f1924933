/**
 * uvtcp in Jakarta EE 10 (CDI 4.0): {@code @Inject TcpService} gives the application its
 * {@link dev.uvtcp.TcpService}, started on first use and closed when the application stops, and
 * an {@code @ApplicationScoped} {@link dev.uvtcp.ConnectionHandler} annotated
 * {@link dev.uvtcp.cdi.TcpServer} is served from application start to stop, as an OSGi
 * whiteboard server is. The application carries uvtcp in {@code WEB-INF/lib}; this package only
 * adapts the service core ({@code dev.uvtcp.service}) to CDI.
 */
package dev.uvtcp.cdi;
