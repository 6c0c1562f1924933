/**
 * The OSGi face of the service core: the Declarative Services components that start the loops
 * from Configuration Admin ({@code dev.uvtcp}), publish a bundle-scoped
 * {@link dev.uvtcp.TcpService} and the {@link dev.uvtcp.runtime.TcpServerRuntime}, and track
 * whiteboard {@link dev.uvtcp.ConnectionHandler}s. The only package of the service bundle that
 * imports {@code org.osgi}; private to the bundle.
 */
package dev.uvtcp.service.osgi;
