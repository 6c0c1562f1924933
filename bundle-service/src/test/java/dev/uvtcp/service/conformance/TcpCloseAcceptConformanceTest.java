package dev.uvtcp.service.conformance;

import static dev.uvtcp.service.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.Stream;
import dev.uvtcp.Tcp;
import dev.uvtcp.UvException;
import dev.uvtcp.service.TestSupport;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * libuv's {@code test/test-tcp-close-accept.c}: accepted connections and the server closed in
 * a read callback, and a new connect made at once (likely on a just-freed descriptor number)
 * must not see the closed connections' stale events: its connect fails (ECONNREFUSED, the
 * server is gone) instead of succeeding.
 */
class TcpCloseAcceptConformanceTest extends ConformanceFixture {

    @Test
    void tcp_close_accept_aConnectMadeRightAfterClosingTheServerAndItsConnectionsFailsWithECONNREFUSED()
            throws Exception {
        List<Tcp> incoming = new ArrayList<>();
        CompletableFuture<Void> bothAccepted = new CompletableFuture<>();
        Tcp server = service.newTcp();
        server.bind(TestSupport.loopback(0));
        server.listen(2, (s, error) -> {
            try {
                incoming.add((Tcp) s.accept());
            } catch (UvException e) {
                bothAccepted.completeExceptionally(e);
            }
            if (incoming.size() == 2) {
                bothAccepted.complete(null);
            }
        });
        List<Tcp> outgoing = List.of(await(service.connect(server.localAddress())),
                await(service.connect(server.localAddress())));
        await(bothAccepted);
        InetSocketAddress serverAddress = server.localAddress();

        CompletableFuture<CompletionStage<Void>> check = new CompletableFuture<>();
        Tcp first = incoming.get(0);
        TestSupport.onLoopOf(server, () -> {
            for (Tcp in : incoming) {
                in.startReading((Stream stream, ByteBuffer data) -> {
                    if (check.isDone()) {
                        return;
                    }
                    stream.stopReading();
                    for (Tcp other : incoming) {
                        if (other != stream) {
                            other.close();
                        }
                    }
                    server.close();
                    try {
                        // Made on this loop thread, so on this loop.
                        check.complete(service.newTcp().connect(serverAddress));
                    } catch (UvException e) {
                        check.completeExceptionally(e);
                    }
                });
            }
            return null;
        });
        for (Tcp out : outgoing) {
            await(out.write(TestSupport.ascii("x")));
        }
        stageFailsWith("ECONNREFUSED", await(check));
        assertThat(first.isClosed() != incoming.get(1).isClosed())
                .as("exactly one incoming connection left open").isTrue();
    }
}
