package dev.uvtcp.examples.echoplugin;

import dev.uvtcp.ConnectionHandler;
import dev.uvtcp.Tcp;
import dev.uvtcp.UvException;
import dev.uvtcp.runtime.TcpWhiteboardConstants;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;

/**
 * An echo server as a whiteboard plugin: a {@link ConnectionHandler} service with a
 * {@code uvtcp.server.address} property. uvtcp binds the listener and hands this service every
 * connection; the plugin never sees a {@code TcpService}, and stopping or removing its bundle
 * closes the listener and every connection.
 *
 * <p>The address (and any other {@code uvtcp.server.*} property) can be changed through
 * Configuration Admin under the PID {@value #PID}, e.g. with a file
 * {@code dev.uvtcp.examples.echo.cfg} holding {@code uvtcp.server.address = 127.0.0.1:7100}
 * in the launcher's {@code deploy/} folder. Thanks to the {@link Modified} method the service
 * stays registered and only its properties change, so uvtcp moves the listener and keeps the
 * connections already open.
 */
@Component(service = ConnectionHandler.class, configurationPid = EchoPlugin.PID, property = {
    TcpWhiteboardConstants.UVTCP_SERVER_ADDRESS + "=127.0.0.1:7007",
    TcpWhiteboardConstants.UVTCP_SERVER_NODELAY + ":Boolean=true"})
public final class EchoPlugin implements ConnectionHandler {

    /** The configuration PID of the plugin. */
    public static final String PID = "dev.uvtcp.examples.echo";

    /**
     * Runs on the connection's loop thread: echoes what the connection reads. The read view is
     * valid during the callback only; {@code write} takes what it needs. When the peer ends
     * or resets the connection, the handler's default {@code onEnd}/{@code onError} close it;
     * if {@code startReading} throws, uvtcp closes the connection.
     */
    @Override
    public void onConnection(Tcp connection) throws UvException {
        connection.startReading((stream, data) -> stream.write(data));
    }

    /** A configuration change only changes the service properties (see the class comment). */
    @Modified
    void modified() {
        // nothing to do: uvtcp reads the properties
    }
}
