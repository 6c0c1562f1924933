package dev.uvtcp.examples.upper;

import dev.uvtcp.ConnectionHandler;
import dev.uvtcp.ReadHandler;
import dev.uvtcp.Tcp;
import dev.uvtcp.UvException;
import dev.uvtcp.runtime.TcpWhiteboardConstants;
import java.nio.ByteBuffer;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;

/**
 * A plugin to hot-deploy: copy its jar into the launcher's {@code deploy/} folder and
 * {@code nc 127.0.0.1 7008} answers every line in upper case; remove the jar and the port is
 * closed again. Like the echo plugin it is only a {@link ConnectionHandler} service with a
 * {@code uvtcp.server.address} property (configurable under the PID {@value #PID}).
 */
@Component(service = ConnectionHandler.class, configurationPid = UpperCasePlugin.PID,
        property = TcpWhiteboardConstants.UVTCP_SERVER_ADDRESS + "=127.0.0.1:7008")
public final class UpperCasePlugin implements ConnectionHandler {

    /** The configuration PID of the plugin. */
    public static final String PID = "dev.uvtcp.examples.upper";

    /** Answers what it reads in upper case; the default onEnd and onError close the stream. */
    private static final ReadHandler UPPER = (stream, data) -> {
        ByteBuffer reply = ByteBuffer.allocate(data.remaining());
        while (data.hasRemaining()) {
            byte b = data.get();
            reply.put(b >= 'a' && b <= 'z' ? (byte) (b - 'a' + 'A') : b);
        }
        stream.write(reply.flip());
    };

    @Override
    public void onConnection(Tcp connection) throws UvException {
        connection.startReading(UPPER);
    }

    /** A configuration change only changes the service properties: uvtcp moves the listener. */
    @Modified
    void modified() {
        // nothing to do
    }
}
