package dev.uvtcp.service.conformance;

import static dev.uvtcp.service.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.uvtcp.Tcp;
import dev.uvtcp.service.TestSupport;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.StandardProtocolFamily;
import java.util.concurrent.CompletableFuture;
import org.assertj.core.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * libuv's {@code test/test-tcp-create-socket-early.c}: {@code uv_tcp_init_ex} with a family
 * makes the socket at once. {@code tcp_create_early_accept} (accepting into a handle that has
 * a socket: EBUSY) has no uvtcp counterpart: {@code accept()} always makes the handle itself.
 */
class TcpCreateSocketEarlyConformanceTest extends ConformanceFixture {

    @Test
    void tcp_create_early_theSocketExistsBeforeBind_localAddressIsTheUnboundIpv4Wildcard()
            throws Exception {
        Tcp client = service.newTcp(StandardProtocolFamily.INET);
        assertThat(client.fileno()).isNotNegative();
        assertThat(client.localAddress().getAddress()).isInstanceOf(Inet4Address.class);
        assertThat(client.localAddress().getAddress().isAnyLocalAddress()).isTrue();
        assertThat(client.localAddress().getPort()).isZero();
        client.bind(TestSupport.loopback(0));
        assertThat(client.localAddress().getAddress()).isEqualTo(TestSupport.LOOPBACK);
    }

    @Test
    void tcp_create_early_bad_bind_anIpv4AddressOnAnIpv6SocketThrowsEINVALAtTheCall()
            throws Exception {
        Assumptions.assumeThat(TestSupport.ipv6LoopbackAvailable()).as("::1 usable").isTrue();
        Tcp client = service.newTcp(StandardProtocolFamily.INET6);
        assertThat(client.localAddress().getAddress()).isInstanceOf(Inet6Address.class);
        thrownAtTheCall("EINVAL", () -> client.bind(TestSupport.loopback(0)));
    }

    @Test
    void tcp_create_early_bad_domain_aFamilyOtherThanInetOrInet6ThrowsIllegalArgumentExceptionAtTheCall() {
        assertThatThrownBy(() -> service.newTcp(StandardProtocolFamily.UNIX))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> service.newTcp(null)).isInstanceOf(NullPointerException.class);
        assertThat(service.handles()).isEmpty();
    }

    @Test
    void tcp_create_early_accept_aClientMadeWithAFamilyConnectsAndIsAccepted() throws Exception {
        CompletableFuture<Tcp> accepted = new CompletableFuture<>();
        Tcp server = service.listen("127.0.0.1", 0, 128, accepted::complete);
        Tcp client = service.newTcp(StandardProtocolFamily.INET);
        await(client.connect(server.localAddress()));
        assertThat(await(accepted).remoteAddress()).isEqualTo(client.localAddress());
    }
}
