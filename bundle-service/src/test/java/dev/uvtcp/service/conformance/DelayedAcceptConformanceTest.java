package dev.uvtcp.service.conformance;

import static dev.uvtcp.service.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.uvtcp.HandleClosedException;
import dev.uvtcp.Stream;
import dev.uvtcp.Tcp;
import dev.uvtcp.service.TestSupport;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * libuv's {@code test/test-delayed-accept.c}: connections accepted later, outside the
 * connection callback; and what {@code uv_accept} answers when nothing is waiting: EAGAIN,
 * thrown at the call, on a listening stream and on one that does not listen alike (libuv
 * checks only for a waiting connection).
 */
class DelayedAcceptConformanceTest extends ConformanceFixture {

    @Test
    void delayed_accept_connectionsAreAcceptedLaterFromAnotherThread_oneCallbackPerWaitingConnection()
            throws Exception {
        BlockingQueue<Stream> callbacks = new LinkedBlockingQueue<>();
        Tcp server = service.newTcp();
        server.bind(TestSupport.loopback(0));
        server.listen(128, (s, error) -> callbacks.add(s)); // does not accept
        Tcp client1 = await(service.connect(server.localAddress()));
        Tcp client2 = await(service.connect(server.localAddress()));
        TestSupport.Collector reads1 = new TestSupport.Collector();
        TestSupport.Collector reads2 = new TestSupport.Collector();
        client1.startReading(reads1);
        client2.startReading(reads2);

        assertThat(callbacks.poll(TestSupport.TIMEOUT_SECONDS, TimeUnit.SECONDS)).isSameAs(server);
        // Until the waiting connection is accepted, libuv takes no other, though one is there.
        TestSupport.onLoopOf(server, () -> null);
        assertThat(callbacks).isEmpty();
        Tcp accepted1 = server.accept();
        accepted1.close();
        assertThat(callbacks.poll(TestSupport.TIMEOUT_SECONDS, TimeUnit.SECONDS)).isSameAs(server);
        Tcp accepted2 = server.accept();
        accepted2.close();
        server.close();
        await(reads1.end);
        await(reads2.end);
        assertThat(callbacks).isEmpty();
    }

    @Test
    void delayed_accept_acceptWithNothingWaitingThrowsEAGAINAtTheCall_listeningOrNot()
            throws Exception {
        Tcp listening = service.newTcp();
        listening.bind(TestSupport.loopback(0));
        listening.listen(8, (s, error) -> { });
        thrownAtTheCall("EAGAIN", listening::accept);

        Tcp notListening = service.newTcp();
        thrownAtTheCall("EAGAIN", notListening::accept);
        Tcp connected = TestSupport.connection(service).client();
        thrownAtTheCall("EAGAIN", connected::accept);
        assertThat(TestSupport.eventually(() -> service.handles().size() == 5))
                .as("no handle is left by a refused accept: %s", service.handles()).isTrue();
    }

    @Test
    void delayed_accept_acceptAfterCloseThrowsHandleClosedException() throws Exception {
        Tcp server = service.newTcp();
        server.bind(TestSupport.loopback(0));
        server.listen(8, (s, error) -> { });
        server.close();
        assertThatThrownBy(server::accept).isInstanceOf(HandleClosedException.class);
    }
}
