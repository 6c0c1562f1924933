package dev.uvtcp.service.conformance;

import static dev.uvtcp.service.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.uvtcp.Tcp;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * libuv's {@code test/test-tcp-connect-error.c}: a garbage address is refused at the call
 * (EINVAL) and no connect callback is made. In Java the address is an
 * {@link InetSocketAddress}: what libuv cannot use (unresolved, port 0) is refused with
 * {@link IllegalArgumentException} before libuv, and the handle stays usable.
 */
class TcpConnectErrorConformanceTest extends ConformanceFixture {

    @Test
    void tcp_connect_error_fault_anUnresolvedAddressOrPort0ThrowsIllegalArgumentExceptionAtTheCall()
            throws Exception {
        Tcp tcp = service.newTcp();
        assertThatThrownBy(() -> tcp.connect(InetSocketAddress.createUnresolved("localhost", 80)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tcp.connect(new InetSocketAddress("127.0.0.1", 0)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tcp.connect(null)).isInstanceOf(NullPointerException.class);
        assertThat(tcp.isActive()).as("no connect was started").isFalse();
        tcp.close();
        await(tcp.closeFuture());
    }
}
