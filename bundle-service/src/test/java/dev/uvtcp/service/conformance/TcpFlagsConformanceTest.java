package dev.uvtcp.service.conformance;

import static dev.uvtcp.service.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.Tcp;
import dev.uvtcp.service.TestSupport;
import java.net.StandardProtocolFamily;
import org.junit.jupiter.api.Test;

/**
 * libuv's {@code test/test-tcp-flags.c}: {@code uv_tcp_nodelay} and {@code uv_tcp_keepalive}
 * are accepted on a handle that has no socket yet. libuv 1.44 applies no-delay when the
 * socket is made, but keep-alive with a fixed 60 s whatever delay was asked; uvtcp applies the
 * delay asked for (documented on {@code Tcp.setKeepAlive}). The options read back from the
 * socket throw EBADF at the call until it exists.
 */
class TcpFlagsConformanceTest extends ConformanceFixture {

    @Test
    void tcp_flags_noDelayAndKeepAliveOnAHandleWithoutSocketAreAccepted_readingThemBackThrowsEBADFAtTheCall()
            throws Exception {
        Tcp handle = service.newTcp();
        handle.setNoDelay(true);
        handle.setKeepAlive(true, 60);
        thrownAtTheCall("EBADF", handle::isNoDelay);
        thrownAtTheCall("EBADF", handle::isKeepAlive);
        thrownAtTheCall("EBADF", handle::keepAliveDelay);
        handle.close();
        await(handle.closeFuture());
    }

    @Test
    void tcp_flags_keepAliveAskedBeforeTheSocketExistsHasItsOwnDelayOnceConnected()
            throws Exception {
        Tcp server = TestSupport.startEchoServer(service);
        Tcp client = service.newTcp();
        client.setNoDelay(true);
        client.setKeepAlive(true, 30);
        await(client.connect(server.localAddress()));
        assertThat(client.isNoDelay()).isTrue();
        assertThat(client.isKeepAlive()).isTrue();
        assertThat(client.keepAliveDelay()).as("not libuv's fixed 60 s").isEqualTo(30);
    }

    @Test
    void tcp_flags_keepAliveAskedBeforeTheSocketExistsHasItsOwnDelayOnceBound() throws Exception {
        Tcp tcp = service.newTcp();
        tcp.setKeepAlive(true, 45);
        tcp.bind(TestSupport.loopback(0));
        assertThat(tcp.isKeepAlive()).isTrue();
        assertThat(tcp.keepAliveDelay()).isEqualTo(45);
        // A listener keeps it, and Linux gives it to the connections it accepts.
        java.util.concurrent.CompletableFuture<Tcp> accepted =
                new java.util.concurrent.CompletableFuture<>();
        tcp.listen(8, (s, error) -> {
            try {
                accepted.complete((Tcp) s.accept());
            } catch (Exception e) {
                accepted.completeExceptionally(e);
            }
        });
        assertThat(tcp.keepAliveDelay()).isEqualTo(45);
        await(service.connect(tcp.localAddress()));
        Tcp connection = await(accepted);
        assertThat(connection.isKeepAlive()).isTrue();
        assertThat(connection.keepAliveDelay()).isEqualTo(45);
    }

    @Test
    void tcp_flags_theLastKeepAliveCallBeforeTheSocketExistsWins() throws Exception {
        Tcp server = TestSupport.startEchoServer(service);
        Tcp changed = service.newTcp();
        changed.setKeepAlive(true, 30);
        changed.setKeepAlive(true, 77);
        await(changed.connect(server.localAddress()));
        assertThat(changed.keepAliveDelay()).isEqualTo(77);

        Tcp disabled = service.newTcp();
        disabled.setKeepAlive(true, 30);
        disabled.setKeepAlive(false, 0);
        await(disabled.connect(server.localAddress()));
        assertThat(disabled.isKeepAlive()).isFalse();
    }

    @Test
    void tcp_flags_onAHandleWithASocketKeepAliveIsAppliedAtOnce() throws Exception {
        Tcp early = service.newTcp(StandardProtocolFamily.INET);
        early.setKeepAlive(true, 30);
        assertThat(early.isKeepAlive()).isTrue();
        assertThat(early.keepAliveDelay()).isEqualTo(30);
        early.bind(TestSupport.loopback(0));
        assertThat(early.keepAliveDelay()).isEqualTo(30);
    }
}
