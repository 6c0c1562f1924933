package dev.uvtcp.service.conformance;

import static dev.uvtcp.service.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.uvtcp.Tcp;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * libuv's {@code test/test-tcp-connect6-error.c}: as {@link TcpConnectErrorConformanceTest}
 * for IPv6 addresses.
 */
class TcpConnect6ErrorConformanceTest extends ConformanceFixture {

    @Test
    void tcp_connect6_error_fault_anUnresolvedAddressOrPort0ThrowsIllegalArgumentExceptionAtTheCall()
            throws Exception {
        Tcp tcp = service.newTcp();
        assertThatThrownBy(() -> tcp.connect(InetSocketAddress.createUnresolved("ip6-localhost", 80)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tcp.connect(new InetSocketAddress(InetAddress.getByName("::1"), 0)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(tcp.isActive()).isFalse();
        tcp.close();
        await(tcp.closeFuture());
    }
}
