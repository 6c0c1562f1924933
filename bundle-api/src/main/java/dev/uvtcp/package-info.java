/**
 * uvtcp: libuv's TCP handles for Java.
 *
 * <p>Consumers obtain a {@link dev.uvtcp.TcpService} (from OSGi Declarative Services or from
 * the plain-Java entry point of the service bundle) and use it to create {@link dev.uvtcp.Tcp}
 * handles, libuv's {@code uv_tcp_t}, with the stream ({@link dev.uvtcp.Stream}) and handle
 * ({@link dev.uvtcp.Handle}) operations that apply to them.
 *
 * <p><b>Threading.</b> Each handle belongs to one {@link dev.uvtcp.Loop}, a thread running
 * libuv's event loop. Every method may be called from any thread: on the loop thread it runs
 * directly, from another thread it is handed to the loop. Synchronous methods then wait for the
 * result; asynchronous ones return a {@link java.util.concurrent.CompletionStage}. Every
 * callback and every completion of a returned stage runs on the loop thread, and must not
 * block it.
 *
 * <p><b>Lifetime.</b> A handle is open until {@link dev.uvtcp.Handle#close()}; after that every
 * operation throws {@link dev.uvtcp.HandleClosedException} (or fails its stage with it), and
 * closing again does nothing. Closing the service closes every handle it created.
 */
@Export
@Version("1.0.0")
package dev.uvtcp;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
