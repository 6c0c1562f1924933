/**
 * The uvtcp whiteboard and its runtime: how a bundle serves TCP by registering a
 * {@link dev.uvtcp.ConnectionHandler} service, and how to read what uvtcp is doing.
 *
 * <p>Modelled on the OSGi HTTP Whiteboard. A bundle registers a
 * {@link dev.uvtcp.ConnectionHandler} service with the service property
 * {@value dev.uvtcp.runtime.TcpWhiteboardConstants#UVTCP_SERVER_ADDRESS} (for example
 * {@code 127.0.0.1:7007}); uvtcp binds a listener on that address and hands the service every
 * connection it accepts. Further properties ({@link dev.uvtcp.runtime.TcpWhiteboardConstants})
 * set the backlog, limits and socket options. Unregistering the service closes its
 * connections; its listener stays open for a grace period (configuration {@code dev.uvtcp},
 * {@code whiteboardGracePeriodMillis}) and the next handler registered for the same address
 * takes it over with the connections that arrived meanwhile ({@link
 * dev.uvtcp.runtime.GraceListenerDTO}); modifying its properties moves the listener. A server that cannot be
 * bound (address in use, bad address, no permission) is reported as a
 * {@link dev.uvtcp.runtime.FailedServerDTO} by the {@link dev.uvtcp.runtime.TcpServerRuntime}
 * service and in the log, and other servers are not affected.
 *
 * <p>The {@link dev.uvtcp.runtime.TcpServerRuntime} also describes the loops and every open
 * handle ({@link dev.uvtcp.runtime.RuntimeDTO}), which the {@code uvtcp:*} shell commands
 * print.
 */
@Export
@Version("1.1.0")
package dev.uvtcp.runtime;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
