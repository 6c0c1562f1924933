package dev.uvtcp.service.conformance;

import static dev.uvtcp.service.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.BindFlag;
import dev.uvtcp.Tcp;
import dev.uvtcp.service.TestSupport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.assertj.core.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * libuv's {@code test/test-tcp-bind6-error.c}, on ::1 where libuv uses :: (the project's tests
 * stay on loopback; for the same reason {@code tcp_bind6_error_addrnotavail} is not followed).
 * Skipped where ::1 cannot be used.
 */
class TcpBind6ErrorConformanceTest extends ConformanceFixture {

    private InetSocketAddress anyPortOnIpv6Loopback;

    @BeforeEach
    void requireIpv6() throws Exception {
        Assumptions.assumeThat(TestSupport.ipv6LoopbackAvailable()).as("::1 usable").isTrue();
        anyPortOnIpv6Loopback = new InetSocketAddress(InetAddress.getByName("::1"), 0);
    }

    @Test
    void tcp_bind6_error_addrinuse_bindSucceeds_listenThrowsEADDRINUSEAtTheCall()
            throws Exception {
        Tcp server1 = service.newTcp();
        server1.bind(anyPortOnIpv6Loopback);
        InetSocketAddress address = server1.localAddress();
        Tcp server2 = service.newTcp();
        server2.bind(address);

        server1.listen(128, (s, error) -> { });
        thrownAtTheCall("EADDRINUSE", () -> server2.listen(128, (s, error) -> { }));
    }

    @Test
    void tcp_bind6_error_inval_secondBindThrowsEINVALAtTheCall() throws Exception {
        Tcp server = service.newTcp();
        server.bind(anyPortOnIpv6Loopback);
        thrownAtTheCall("EINVAL", () -> server.bind(anyPortOnIpv6Loopback));
    }

    @Test
    void tcp_bind6_localhost_ok_bindsToIpv6LoopbackAlsoWithIpv6Only() throws Exception {
        Tcp dual = service.newTcp();
        dual.bind(anyPortOnIpv6Loopback);
        assertThat(dual.localAddress().getAddress()).isEqualTo(InetAddress.getByName("::1"));

        Tcp v6only = service.newTcp();
        v6only.bind(anyPortOnIpv6Loopback, BindFlag.IPV6_ONLY);
        v6only.listen(8, (s, error) -> { });
        Tcp client = await(service.connect(v6only.localAddress()));
        assertThat(client.remoteAddress()).isEqualTo(v6only.localAddress());
    }
}
