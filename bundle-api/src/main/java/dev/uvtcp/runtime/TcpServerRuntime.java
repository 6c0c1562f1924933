package dev.uvtcp.runtime;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The uvtcp runtime's view of itself, registered as a service by the uvtcp service bundle
 * (the counterpart of the HTTP Whiteboard's {@code HttpServiceRuntime}): the whiteboard
 * servers it serves and those it could not, its loops, and every open handle.
 *
 * <p>Threading: callable from any thread except a uvtcp loop thread (a snapshot of the handles
 * is taken on each loop, which a loop thread would wait for); from a loop thread the handles of
 * other loops are left out. Never blocks for longer than a loop takes to answer.
 */
@ProviderType
public interface TcpServerRuntime {

    /**
     * A snapshot of the runtime. Each call returns new objects that the caller may keep and
     * change; they never change by themselves.
     *
     * @return the servers, failed servers, loops and handles at the time of the call
     */
    RuntimeDTO getRuntimeDTO();
}
