package dev.uvtcp.examples.jakarta;

import dev.uvtcp.ConnectionHandler;
import dev.uvtcp.Tcp;
import dev.uvtcp.UvException;
import dev.uvtcp.cdi.TcpServer;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The echo server: served by uvtcp from the application's start to its stop. The address is
 * 127.0.0.1:7007 unless the configuration key {@code echo/uvtcp.server.address} says otherwise
 * (MicroProfile Config: a system property, an environment variable
 * {@code ECHO_UVTCP_SERVER_ADDRESS}, ...).
 */
@ApplicationScoped
@TcpServer(name = "echo", address = "127.0.0.1:7007", noDelay = true)
public class EchoServer implements ConnectionHandler {

    /**
     * On the connection's loop thread: echoes what it reads. The lambda read handler closes
     * the connection when the peer ends or resets it.
     */
    @Override
    public void onConnection(Tcp connection) throws UvException {
        connection.startReading((stream, data) -> stream.write(data));
    }
}
