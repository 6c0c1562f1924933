package dev.uvtcp.service.conformance;

import static dev.uvtcp.service.TestSupport.await;
import static dev.uvtcp.service.TestSupport.onLoopOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.Tcp;
import dev.uvtcp.service.TestSupport;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * libuv's {@code test/test-getsockname.c} (TCP part): the addresses each end reports, a
 * server's peer name (ENOTCONN, thrown at the call), and a connecting client's own address,
 * known as soon as the connect was started. libuv's server listens on 0.0.0.0; here 127.0.0.1.
 */
class GetsocknameConformanceTest extends ConformanceFixture {

    @Test
    void getsockname_tcp_serverClientAndAcceptedConnectionReportMatchingAddresses()
            throws Exception {
        TestSupport.Connection c = TestSupport.connection(service);
        InetSocketAddress serverAddress = c.server().localAddress();
        assertThat(serverAddress.getAddress()).isEqualTo(TestSupport.LOOPBACK);
        thrownAtTheCall("ENOTCONN", c.server()::remoteAddress);

        assertThat(c.client().remoteAddress()).isEqualTo(serverAddress);
        assertThat(c.accepted().localAddress()).isEqualTo(serverAddress);
        assertThat(c.accepted().remoteAddress()).isEqualTo(c.client().localAddress());
    }

    @Test
    void getsockname_tcp_aConnectingClientKnowsItsOwnPortAtOnce() throws Exception {
        Tcp server = TestSupport.startEchoServer(service);
        Tcp client = service.newTcp();
        Object[] connectAndAddress = onLoopOf(client, () -> new Object[] {
            client.connect(server.localAddress()), client.localAddress()});
        InetSocketAddress early = (InetSocketAddress) connectAndAddress[1];
        assertThat(early.getPort()).isPositive();
        await((CompletionStage<?>) connectAndAddress[0]);
        assertThat(client.localAddress()).isEqualTo(early);
    }

    @Test
    void getsockname_tcp_remoteAddressWithoutASocketThrowsEBADF_boundButUnconnectedENOTCONN()
            throws Exception {
        Tcp tcp = service.newTcp();
        thrownAtTheCall("EBADF", tcp::remoteAddress);
        thrownAtTheCall("EBADF", tcp::localAddress);
        tcp.bind(TestSupport.loopback(0));
        thrownAtTheCall("ENOTCONN", tcp::remoteAddress);
    }
}
