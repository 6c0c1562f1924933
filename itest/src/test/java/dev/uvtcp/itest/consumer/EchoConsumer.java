package dev.uvtcp.itest.consumer;

import dev.uvtcp.Tcp;
import dev.uvtcp.TcpService;
import java.util.Map;
import java.util.function.Supplier;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The DS component of the consumer bundle the integration tests build: gets its own
 * {@link TcpService} through a static reference, starts an echo server, checks it with a
 * loopback round trip, and reports what it did as a {@code Supplier<Map>} service (a
 * {@code java.*} type, so the tests need no shared package with it).
 *
 * <p>It deliberately has no deactivate method and never closes its server: releasing the
 * {@code TcpService} when the bundle stops must do that.
 */
@Component(service = Supplier.class, immediate = true, property = "uvtcp.itest=consumer")
public final class EchoConsumer implements Supplier<Map<String, Object>> {

    /** The message of the loopback round trip done on activation. */
    public static final String SELF_TEST_MESSAGE = "hello from the consumer bundle";

    private final TcpService tcp;
    private final int port;
    private final String selfEcho;

    @Activate
    public EchoConsumer(@Reference TcpService tcp) throws Exception {
        this.tcp = tcp;
        Tcp server = Echo.serve(tcp);
        this.port = server.localAddress().getPort();
        this.selfEcho = Echo.roundTrip(tcp, port, SELF_TEST_MESSAGE);
    }

    /**
     * @return {@code port}: the echo server's port; {@code selfEcho}: what the round trip on
     *     activation got back; {@code handles}: handles open in this bundle's TcpService;
     *     {@code loops}: its number of loops
     */
    @Override
    public Map<String, Object> get() {
        return Map.of("port", port, "selfEcho", selfEcho, "handles", tcp.handles().size(),
                "loops", tcp.loops().size());
    }
}
