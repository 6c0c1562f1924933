/**
 * The uvtcp service core: loop threads, handle objects, the cross-thread command queue, buffer
 * handling and ownership tracking. {@link dev.uvtcp.service.StandaloneTcpService} starts a
 * {@link dev.uvtcp.TcpService} on a plain classpath.
 *
 * <p>In OSGi this package is private to the service bundle: consumers get the
 * {@link dev.uvtcp.TcpService} from Declarative Services and compile against the API only.
 */
package dev.uvtcp.service;
