package dev.uvtcp.service;

import static dev.uvtcp.service.TestSupport.acceptPlain;
import static dev.uvtcp.service.TestSupport.await;
import static dev.uvtcp.service.TestSupport.plainServer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.uvtcp.HandleType;
import dev.uvtcp.Tcp;
import dev.uvtcp.UvException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Socket options and handle properties of a TCP handle, read back from the socket. */
class TcpSocketOptionsTest {

    private StandaloneTcpService service;
    private ServerSocket peerServer;

    @BeforeEach
    void start() throws Exception {
        service = TestSupport.startService("opts");
        peerServer = plainServer();
    }

    @AfterEach
    void stop() throws Exception {
        service.close();
        peerServer.close();
    }

    private Tcp connectedClient() {
        return await(service.connect((InetSocketAddress) peerServer.getLocalSocketAddress()));
    }

    @Test
    void noDelayIsReadBackFromTheSocket() throws Exception {
        Tcp client = connectedClient();
        try (Socket peer = acceptPlain(peerServer)) {
            client.setNoDelay(true);
            assertThat(client.isNoDelay()).isTrue();
            client.setNoDelay(false);
            assertThat(client.isNoDelay()).isFalse();
        }
    }

    @Test
    void keepAliveAndItsDelayAreReadBackFromTheSocket() throws Exception {
        Tcp client = connectedClient();
        try (Socket peer = acceptPlain(peerServer)) {
            client.setKeepAlive(true, 30);
            assertThat(client.isKeepAlive()).isTrue();
            assertThat(client.keepAliveDelay()).isEqualTo(30);
            client.setKeepAlive(true, 77);
            assertThat(client.keepAliveDelay()).isEqualTo(77);
            client.setKeepAlive(false, 0);
            assertThat(client.isKeepAlive()).isFalse();
        }
    }

    @Test
    void newTcpWithFamilyHasADescriptorBeforeBind() throws Exception {
        Tcp v6 = service.newTcp(StandardProtocolFamily.INET6);
        Tcp v4 = service.newTcp(StandardProtocolFamily.INET);
        assertThat(v6.fileno()).isGreaterThanOrEqualTo(0);
        assertThat(v4.fileno()).isGreaterThanOrEqualTo(0).isNotEqualTo(v6.fileno());
    }

    @Test
    void newTcpWithoutFamilyHasNoDescriptorUntilBound() throws Exception {
        Tcp tcp = service.newTcp();
        assertThatThrownBy(tcp::fileno)
                .isInstanceOfSatisfying(UvException.class, e -> {
                    assertThat(e.errorName()).isEqualTo("EBADF");
                    assertThat(e.code()).isNegative();
                    assertThat(e.operation()).contains("fileno");
                });
        tcp.bind(TestSupport.loopback(0));
        assertThat(tcp.fileno()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void optionReadsWithoutASocketFailWithEbadf() throws Exception {
        Tcp tcp = service.newTcp();
        assertThatThrownBy(tcp::isNoDelay).isInstanceOfSatisfying(UvException.class,
                e -> assertThat(e.errorName()).isEqualTo("EBADF"));
        assertThatThrownBy(tcp::sendBufferSize).isInstanceOfSatisfying(UvException.class,
                e -> assertThat(e.errorName()).isEqualTo("EBADF"));
    }

    @Test
    void sendAndReceiveBufferSizesAreSetAndReadBack() throws Exception {
        Tcp client = connectedClient();
        try (Socket peer = acceptPlain(peerServer)) {
            client.setSendBufferSize(32 * 1024);
            client.setReceiveBufferSize(48 * 1024);
            // Linux doubles what is set, for its bookkeeping (see Handle#sendBufferSize).
            assertThat(client.sendBufferSize()).isEqualTo(2 * 32 * 1024);
            assertThat(client.receiveBufferSize()).isEqualTo(2 * 48 * 1024);
            client.setSendBufferSize(40 * 1024);
            assertThat(client.sendBufferSize()).isEqualTo(2 * 40 * 1024);
        }
    }

    @Test
    void simultaneousAcceptsIsAcceptedOnEveryHandle() throws Exception {
        Tcp server = TestSupport.startEchoServer(service);
        Tcp unbound = service.newTcp();
        assertThatCode(() -> {
            server.setSimultaneousAccepts(true);
            server.setSimultaneousAccepts(false);
            unbound.setSimultaneousAccepts(true);
        }).doesNotThrowAnyException();
    }

    @Test
    void typeIsTcpForCreatedOpenedAndAcceptedHandles() throws Exception {
        assertThat(service.newTcp().type()).isEqualTo(HandleType.TCP);
        assertThat(service.newTcp(StandardProtocolFamily.INET).type()).isEqualTo(HandleType.TCP);
        Tcp client = connectedClient();
        acceptPlain(peerServer).close();
        assertThat(client.type()).isEqualTo(HandleType.TCP);
    }

    @Test
    void attachReturnsThePreviousAttachment() throws Exception {
        Tcp tcp = service.newTcp();
        assertThat(tcp.attachment()).isNull();
        assertThat(tcp.attach("first")).isNull();
        assertThat(tcp.attachment()).isEqualTo("first");
        assertThat(tcp.attach(42)).isEqualTo("first");
        assertThat(tcp.attachment()).isEqualTo(42);
        assertThat(tcp.attach(null)).isEqualTo(42);
        assertThat(tcp.attachment()).isNull();
    }

    @Test
    void attachmentIsVisibleOnTheLoopThread() throws Exception {
        Tcp tcp = service.newTcp();
        Object token = new Object();
        tcp.attach(token);
        java.util.concurrent.CompletableFuture<Object> seen = new java.util.concurrent.CompletableFuture<>();
        tcp.loop().execute(() -> seen.complete(tcp.attachment()));
        assertThat(await(seen)).isSameAs(token);
    }
}
