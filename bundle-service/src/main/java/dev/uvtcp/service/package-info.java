/**
 * The uvtcp service core: loop threads, handle objects, the cross-thread command queue, buffer
 * handling and ownership tracking. {@link dev.uvtcp.service.StandaloneTcpService} starts a
 * {@link dev.uvtcp.TcpService} on a plain classpath.
 *
 * <p>The core imports no {@code org.osgi}: the Declarative Services components live in
 * {@code dev.uvtcp.service.osgi}, the whiteboard servers in {@code dev.uvtcp.service.whiteboard}.
 *
 * <p>In OSGi this package is private to the service bundle: consumers get the
 * {@link dev.uvtcp.TcpService} from Declarative Services and compile against the API only.
 */
package dev.uvtcp.service;
