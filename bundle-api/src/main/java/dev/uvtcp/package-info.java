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
 * <p><b>Lifetime.</b> A handle is open until {@link dev.uvtcp.Handle#close()}; after that
 * synchronous operations throw {@link dev.uvtcp.HandleClosedException}, asynchronous ones
 * ({@code write}, {@code shutdown}, {@code connect}) return a stage failed with it, a few
 * queries answer for a closed handle (listed in {@link dev.uvtcp.Handle}), and closing again
 * does nothing. Closing the service closes every handle it created. A
 * {@link dev.uvtcp.ReadHandler} closes its stream by default when the peer ends or reading
 * fails.
 */
@Export
@Version("1.0.0")
package dev.uvtcp;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
