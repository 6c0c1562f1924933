package dev.uvtcp.service.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.Tcp;
import dev.uvtcp.service.TestSupport;
import org.junit.jupiter.api.Test;

/**
 * libuv's {@code test/test-socket-buffer-size.c} (TCP part): the buffer sizes of a bound
 * handle are read and set; Linux reports twice the size set. Without a socket both throw
 * EBADF at the call.
 */
class SocketBufferSizeConformanceTest extends ConformanceFixture {

    @Test
    void socket_buffer_size_aBoundHandleReadsAndSetsItsBufferSizes_linuxReportsDouble()
            throws Exception {
        Tcp tcp = service.newTcp();
        tcp.bind(TestSupport.loopback(0));
        assertThat(tcp.receiveBufferSize()).isPositive();
        tcp.setReceiveBufferSize(10_000);
        assertThat(tcp.receiveBufferSize()).isIn(10_000, 20_000);
        assertThat(tcp.sendBufferSize()).isPositive();
        tcp.setSendBufferSize(10_000);
        assertThat(tcp.sendBufferSize()).isIn(10_000, 20_000);
    }

    @Test
    void socket_buffer_size_withoutASocketThrowsEBADFAtTheCall() throws Exception {
        Tcp tcp = service.newTcp();
        thrownAtTheCall("EBADF", tcp::receiveBufferSize);
        thrownAtTheCall("EBADF", tcp::sendBufferSize);
        thrownAtTheCall("EBADF", () -> tcp.setReceiveBufferSize(10_000));
        thrownAtTheCall("EBADF", () -> tcp.setSendBufferSize(10_000));
    }
}
