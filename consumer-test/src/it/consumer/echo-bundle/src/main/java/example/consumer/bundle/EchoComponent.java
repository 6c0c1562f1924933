package example.consumer.bundle;

import dev.uvtcp.Tcp;
import dev.uvtcp.TcpService;
import dev.uvtcp.UvException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * A consumer's component: an echo server on 127.0.0.1 (a free port) made with the bundle's own
 * TcpService. It prints the port, so that whoever started the framework can connect.
 */
@Component(immediate = true)
public final class EchoComponent {

    private final Tcp server;

    /**
     * Starts listening.
     *
     * @param tcp this bundle's TcpService
     * @throws UvException if libuv cannot listen
     */
    @Activate
    public EchoComponent(@Reference TcpService tcp) throws UvException {
        server = tcp.listen("127.0.0.1", 0, 16,
                connection -> connection.startReading((stream, data) -> stream.write(data)));
        System.out.println("consumer bundle: echo on 127.0.0.1 port "
                + server.localAddress().getPort());
    }

    /** Stops listening (the TcpService would close it anyway when the bundle stops). */
    @Deactivate
    void stop() {
        server.close();
    }
}
