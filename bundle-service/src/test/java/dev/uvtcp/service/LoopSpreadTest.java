package dev.uvtcp.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.uvtcp.ListenOptions;
import dev.uvtcp.Loop;
import dev.uvtcp.Tcp;
import dev.uvtcp.UvException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link ListenOptions#withAllLoops(boolean)}: one SO_REUSEPORT listener per loop. */
class AllLoopsListenTest {

    @Test
    void connectionsAreSpreadOverEveryLoopAndEchoed() throws Exception {
        try (StandaloneTcpService service = StandaloneTcpService.start(new TcpServiceSettings(
                2, 64 * 1024, TestSupport.uniquePrefix("allloops")))) {
            Set<Loop> acceptedOn = ConcurrentHashMap.newKeySet();
            Tcp server = service.listen(TestSupport.loopback(0),
                    ListenOptions.defaults().withAllLoops(true), connection -> {
                        acceptedOn.add(connection.loop());
                        try {
                            connection.startReading((s, data) -> s.write(data));
                        } catch (UvException e) {
                            connection.close();
                        }
                    });
            InetSocketAddress address = server.localAddress();
            assertThat(address.getPort()).isPositive();
            // One listener per loop, all on the same address.
            assertThat(service.handles()).hasSize(2);

            List<Socket> sockets = new ArrayList<>();
            try {
                // 40 connections from distinct ports: all on one loop has odds 2^-39.
                for (int i = 0; i < 40; i++) {
                    Socket socket = new Socket(address.getAddress(), address.getPort());
                    socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(10));
                    sockets.add(socket);
                    OutputStream out = socket.getOutputStream();
                    out.write(new byte[] {(byte) i});
                    InputStream in = socket.getInputStream();
                    assertThat(in.read()).isEqualTo(i);
                }
                assertThat(acceptedOn).containsExactlyInAnyOrderElementsOf(service.loops());
            } finally {
                for (Socket socket : sockets) {
                    socket.close();
                }
            }

            // Closing the returned listener closes the other one too: the port is free again.
            server.close();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (service.handles().stream().anyMatch(h -> h.type() == dev.uvtcp.HandleType.TCP
                    && ((Tcp) h).isActive() && h != server)
                    && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThatThrownBy(() -> new Socket(address.getAddress(), address.getPort()).close())
                    .isInstanceOf(java.net.ConnectException.class);
        }
    }

    @Test
    void defaultsListenFromOneLoopOnly() throws Exception {
        assertThat(ListenOptions.defaults().allLoops()).isFalse();
        assertThat(ListenOptions.defaults().withAllLoops(true).allLoops()).isTrue();
        assertThat(ListenOptions.defaults().withAllLoops(true))
                .isNotEqualTo(ListenOptions.defaults());
    }
}
