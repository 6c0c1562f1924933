package dev.uvtcp.service.conformance;

import static dev.uvtcp.service.TestSupport.await;
import static dev.uvtcp.service.TestSupport.loopback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.uvtcp.BindFlag;
import dev.uvtcp.HandleClosedException;
import dev.uvtcp.ReadHandler;
import dev.uvtcp.Tcp;
import dev.uvtcp.UvException;
import dev.uvtcp.service.TestSupport;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * libuv's {@code test/test-tcp-bind-error.c}. Not followed: {@code tcp_bind_error_addrnotavail_*}
 * and {@code tcp_listen_without_bind}, which need an address other than loopback (127.255.255.255,
 * 4.4.4.4, 0.0.0.0): the project's tests use 127.0.0.1 and ::1 only. {@code tcp_bind_error_fault}
 * (a garbage sockaddr) has no Java counterpart: an address is an {@link InetSocketAddress}, and
 * an unresolved one is refused before libuv.
 */
class TcpBindErrorConformanceTest extends ConformanceFixture {

    @Test
    void tcp_bind_error_addrinuse_connect_bindSucceeds_localAddressThrowsEADDRINUSE_connectStageFailsWithEADDRINUSE()
            throws Exception {
        Tcp taken = TestSupport.startEchoServer(service);
        Tcp target = TestSupport.startEchoServer(service);

        Tcp conn = service.newTcp();
        conn.bind(taken.localAddress()); // libuv defers EADDRINUSE: the bind itself succeeds
        thrownAtTheCall("EADDRINUSE", conn::localAddress);
        thrownAtTheCall("EADDRINUSE", conn::remoteAddress);
        // As libuv's test: connect, then getsockname before the loop runs again (the connect
        // callback takes the deferred error: afterwards getsockname answers normally).
        CompletionStage<Void> connect = TestSupport.onLoopOf(conn, () -> {
            CompletionStage<Void> stage = conn.connect(target.localAddress());
            thrownAtTheCall("EADDRINUSE", conn::localAddress);
            return stage;
        });
        UvException e = stageFailsWith("EADDRINUSE", connect);
        assertThat(e.operation()).contains("connect");
        // The connect took the deferred error: the socket, never bound, answers normally now.
        assertThat(conn.localAddress().getPort()).isZero();
        assertThat(conn.isClosed()).as("a failed connect leaves the handle open").isFalse();
    }

    @Test
    void tcp_bind_error_addrinuse_listen_bindSucceeds_listenThrowsEADDRINUSEAtTheCall()
            throws Exception {
        Tcp server1 = service.newTcp();
        server1.bind(loopback(0));
        InetSocketAddress address = server1.localAddress();
        Tcp server2 = service.newTcp();
        server2.bind(address);

        server1.listen(128, (server, error) -> { });
        UvException e = thrownAtTheCall("EADDRINUSE", () -> server2.listen(128, (s, error) -> { }));
        assertThat(e.operation()).startsWith("listen");
        server1.close();
        server2.close();
        await(server1.closeFuture());
        await(server2.closeFuture());
    }

    @Test
    void tcp_bind_error_listenOnAConnectedStreamThrowsEINVALAtTheCall() throws Exception {
        Tcp client = TestSupport.connection(service).client();
        thrownAtTheCall("EINVAL", () -> client.listen(8, (s, error) -> { }));
        assertThat(client.isWritable()).as("the connection is unharmed").isTrue();
    }

    @Test
    void tcp_bind_error_inval_secondBindThrowsEINVALAtTheCall() throws Exception {
        Tcp server = service.newTcp();
        server.bind(loopback(0));
        InetSocketAddress first = server.localAddress();
        thrownAtTheCall("EINVAL", () -> server.bind(loopback(0)));
        assertThat(server.localAddress()).as("still bound to the first address").isEqualTo(first);
    }

    @Test
    void tcp_bind_localhost_ok_bindsTo127001() throws Exception {
        Tcp server = service.newTcp();
        server.bind(loopback(0));
        assertThat(server.localAddress().getAddress()).isEqualTo(TestSupport.LOOPBACK);
        assertThat(server.localAddress().getPort()).isPositive();
    }

    @Test
    void tcp_bind_invalid_flags_ipv6OnlyWithAnIpv4AddressThrowsEINVALAtTheCallAndMakesNoSocket()
            throws Exception {
        Tcp server = service.newTcp();
        thrownAtTheCall("EINVAL", () -> server.bind(loopback(0), BindFlag.IPV6_ONLY));
        // libuv refuses before it creates a socket: the handle is as new.
        thrownAtTheCall("EBADF", server::fileno);
        server.bind(loopback(0));
        assertThat(server.localAddress().getPort()).isPositive();
    }

    @Test
    void tcp_bind_writable_flags_listeningServerIsNeitherReadableNorWritable_writeStageFailsWithEPIPE_shutdownStageFailsWithENOTCONN_startReadingThrowsENOTCONN()
            throws Exception {
        Tcp server = service.newTcp();
        server.bind(loopback(0));
        server.listen(128, (s, error) -> { });

        assertThat(server.isWritable()).isFalse();
        assertThat(server.isReadable()).isFalse();
        stageFailsWith("EPIPE", server.write(TestSupport.ascii("PING")));
        stageFailsWith("ENOTCONN", server.shutdown());
        thrownAtTheCall("ENOTCONN", () -> server.startReading((ReadHandler) (s, data) -> { }));
        assertThat(server.isClosed()).as("every refusal leaves the server open").isFalse();
    }

    @Test
    void tcp_bind_or_listen_error_after_close_throwsHandleClosedExceptionWhereLibuvSaysEINVAL()
            throws Exception {
        Tcp tcp = service.newTcp();
        tcp.close();
        assertThatThrownBy(() -> tcp.bind(loopback(0))).isInstanceOf(HandleClosedException.class);
        assertThatThrownBy(() -> tcp.listen(5, (s, error) -> { }))
                .isInstanceOf(HandleClosedException.class);
        await(tcp.closeFuture());
    }
}
