package dev.uvtcp.service;

import static dev.uvtcp.service.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.Handle;
import dev.uvtcp.Tcp;
import dev.uvtcp.UvException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The handlers everyone writes first, lambdas, leak nothing: a {@code ReadHandler} that only
 * implements {@code onRead} closes its stream on end of input and on a read error, and a
 * {@code ConnectionHandler} that throws has its connection closed.
 */
class LambdaHandlersLeakNothingTest {

    private static final int CONNECTIONS = 1_000;
    /** Connections a batch holds open at once before dropping them. */
    private static final int BATCH = 100;

    private StandaloneTcpService service;

    @BeforeEach
    void start() throws Exception {
        service = TestSupport.startService("lambda");
    }

    @AfterEach
    void stop() {
        service.close();
    }

    @Test
    void aLambdaEchoServerLeavesOnlyItsListenerAfterAThousandPeersCameAndWent()
            throws Exception {
        AtomicInteger accepted = new AtomicInteger();
        // Exactly the README's whiteboard handler, plus a counter.
        Tcp server = service.listen("127.0.0.1", 0, 1024, connection -> {
            accepted.incrementAndGet();
            connection.startReading((stream, data) -> stream.write(data));
        });
        InetSocketAddress address = server.localAddress();
        long started = System.nanoTime();
        int ended = 0;
        int reset = 0;
        for (int first = 0; first < CONNECTIONS; first += BATCH) {
            List<Socket> batch = new ArrayList<>();
            try {
                for (int i = first; i < first + BATCH; i++) {
                    Socket peer = TestSupport.plainClient(address);
                    batch.add(peer);
                    // The echo proves the connection was accepted and is being read.
                    assertThat(TestSupport.echoesByte(peer, i)).as("echo on connection " + i)
                            .isTrue();
                }
                for (int i = 0; i < batch.size(); i++) {
                    Socket peer = batch.get(i);
                    if (i % 2 == 1) {
                        peer.setSoLinger(true, 0); // close with RST: the server's read fails
                        reset++;
                    } else {
                        ended++; // close with FIN: the server reads end of input
                    }
                    peer.close();
                }
            } finally {
                for (Socket peer : batch) {
                    peer.close();
                }
            }
        }
        assertThat(accepted.get()).isEqualTo(CONNECTIONS);
        assertThat(ended + reset).isEqualTo(CONNECTIONS);
        boolean onlyListenerLeft = TestSupport.eventually(() -> service.handles().size() == 1);
        assertThat(onlyListenerLeft).as("only the listener left after every peer went; "
                + "handles left: %d", service.handles().size()).isTrue();
        assertThat(service.handles()).containsExactly(server);
        System.out.printf("%d connections (%d ended, %d reset) opened and dropped in %d ms; "
                + "handles left: %s%n", CONNECTIONS, ended, reset,
                (System.nanoTime() - started) / 1_000_000, service.handles());
    }

    @Test
    void aLambdaReaderClosesItsStreamWhenThePeerEndsOrResets() throws Exception {
        try (ServerSocket peers = TestSupport.plainServer()) {
            InetSocketAddress address = (InetSocketAddress) peers.getLocalSocketAddress();
            for (boolean withReset : new boolean[] {false, true}) {
                Tcp client = await(service.connect(address));
                CompletableFuture<String> readFirst = new CompletableFuture<>();
                client.startReading((stream, data) -> readFirst.complete("read"));
                try (Socket peer = TestSupport.acceptPlain(peers)) {
                    peer.getOutputStream().write('x');
                    assertThat(await(readFirst)).isEqualTo("read");
                    if (withReset) {
                        peer.setSoLinger(true, 0);
                    }
                }
                await(client.closeFuture());
                assertThat(client.isClosed()).as(withReset ? "after a reset" : "after EOF")
                        .isTrue();
            }
        }
        assertThat(service.handles()).isEmpty();
    }

    @Test
    void aConnectionHandlerThatThrowsHasItsConnectionClosedAndTheServerServesOn()
            throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Tcp server = service.listen("127.0.0.1", 0, 8, connection -> {
            int call = calls.incrementAndGet();
            if (call == 1) {
                throw new UvException(-22, "EINVAL", "invalid argument", "a handler's own check");
            }
            if (call == 2) {
                throw new IllegalStateException("a handler with a bug");
            }
            connection.startReading((stream, data) -> stream.write(data));
        });
        InetSocketAddress address = server.localAddress();
        for (int i = 0; i < 2; i++) {
            try (Socket dropped = TestSupport.plainClient(address)) {
                assertThat(readsEndOfInput(dropped.getInputStream()))
                        .as("the peer of connection %d sees it closed", i + 1).isTrue();
            }
        }
        try (Socket served = TestSupport.plainClient(address)) {
            assertThat(TestSupport.echoesByte(served, 'y')).isTrue();
            List<Handle> open = service.handles();
            assertThat(open).hasSize(2).contains(server);
        }
        assertThat(TestSupport.eventually(() -> service.handles().size() == 1)).isTrue();
    }

    /** True if the socket reads EOF (or a reset) before its read timeout. */
    private static boolean readsEndOfInput(InputStream in) throws IOException {
        try {
            return in.read() == -1;
        } catch (java.net.SocketException reset) {
            return true;
        }
    }
}
