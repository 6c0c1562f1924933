package dev.uvtcp.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The process out of file descriptors: a uvtcp echo server in a forked JVM started with
 * {@code ulimit -n 64} ({@link FdExhaustionServer}) is sent far more connections than it has
 * descriptors for. It must keep running (no crash, no busy loop that never returns), tell
 * the connections it cannot take so (libuv accepts and closes them at once), tell the
 * server's {@code ConnectionHandler.onAcceptError} (EMFILE; unpatched libuv 1.44 did not), and
 * serve again once descriptors are free. When another thread takes the descriptor libuv
 * frees for that, unpatched libuv 1.44 retried accept() without end and starved every other
 * connection; uvtcp pauses accepting instead. See bundle-native's
 * {@code patches/libuv-1.44.2-out-of-descriptors.patch}.
 */
class FdExhaustionTest {

    private static final int LIMIT = 64;
    private static final int CLIENTS = 120;

    @Test
    void aServerOutOfDescriptorsShedsConnectionsKeepsRunningAndRecovers() throws Exception {
        List<Socket> clients = new ArrayList<>();
        try (FdExhaustionChild child = FdExhaustionChild.start(LIMIT)) {
            InetSocketAddress address = child.address();
            long fdsIdle = child.fdCount();

            // Many more connections than the child has descriptors for.
            int echoed = 0;
            int shed = 0;
            for (int i = 0; i < CLIENTS; i++) {
                Socket s = connect(address, clients);
                if (TestSupport.echoesByte(s, 'x')) {
                    echoed++;
                } else {
                    shed++;
                }
            }
            assertThat(child.isAlive()).isTrue();
            assertThat(child.fdCount()).as("child descriptors").isLessThanOrEqualTo(LIMIT);
            // The child prints the error after libuv shed the connections: it may still be on
            // its way when the last client has seen its EOF.
            boolean outOfDescriptorsReported = TestSupport.eventually(
                    () -> child.acceptErrors("EMFILE") + child.acceptErrors("ENFILE") > 0);
            Figures.report("FdExhaustionTest: limit %d, idle %d fds; %d clients: %d echoed,"
                    + " %d shed; accept errors reported: %s", LIMIT, fdsIdle, CLIENTS,
                    echoed, shed, child.acceptErrorSummary());
            assertThat(echoed).as("served before the limit").isPositive();
            assertThat(shed).as("connections beyond the limit are closed, not left hanging")
                    .isPositive();
            assertThat(echoed + shed).isEqualTo(CLIENTS);
            assertThat(outOfDescriptorsReported)
                    .as("onAcceptError told EMFILE or ENFILE, got %s",
                            child.acceptErrorSummary()).isTrue();
            child.ask("count", "CONNECTIONS "); // answers while out of descriptors

            // Descriptors free up: the server recovers.
            closeAll(clients);
            assertThat(TestSupport.eventually(() -> child.fdCount() <= fdsIdle))
                    .as("child back to %d descriptors, has %d", fdsIdle, child.fdCount())
                    .isTrue();
            assertServes(address, 20);
            child.quit();
            Figures.report("FdExhaustionTest: accept errors reported in all: %s",
                    child.acceptErrorSummary());
        } finally {
            closeAll(clients);
        }
    }

    @Test
    void whenAnotherThreadTakesTheSpareDescriptorAcceptingPausesAndTheLoopServesOn()
            throws Exception {
        List<Socket> clients = new ArrayList<>();
        try (FdExhaustionChild child = FdExhaustionChild.start(LIMIT)) {
            InetSocketAddress address = child.address();
            Socket established = connect(address, clients);
            assertThat(TestSupport.echoesByte(established, 'e')).isTrue();
            long fdsIdle = child.fdCount();

            String holds = child.ask("steal", "THIEF_HOLDS ");
            // Each connection now makes libuv's trick close its spare and try again; the thief
            // races it for the freed descriptor. Once the thief won, the spare is gone: a
            // connection is then neither served nor shed but waits in the backlog.
            Socket parked = null;
            int shedBeforeTheft = 0;
            for (int i = 0; i < 1000 && parked == null; i++) {
                Socket s = connect(address, clients);
                s.setSoTimeout(1000);
                TestSupport.EchoOutcome outcome = TestSupport.echoOutcome(s, 'q');
                if (outcome == TestSupport.EchoOutcome.NO_ANSWER && stillWaiting(s, 2000)) {
                    parked = s; // a slow machine may shed late: hence the second look
                } else if (outcome != TestSupport.EchoOutcome.ECHOED) {
                    shedBeforeTheft++;
                }
            }
            assertThat(parked).as("a connection left waiting: libuv lost its spare (after %d"
                    + " sheds)", shedBeforeTheft).isNotNull();
            String stolen = child.ask("stolen", "STOLEN ");

            // No spare descriptor, none free: the loop must still serve its connections.
            long errorsBefore = child.acceptErrors("EMFILE") + child.acceptErrors("ENFILE");
            for (int i = 0; i < 10; i++) {
                assertThat(TestSupport.echoesByte(established, 'a' + i))
                        .as("an established connection is served while out of descriptors (#%d)",
                                i).isTrue();
                TestSupport.sleep(100);
            }
            long errorsWhilePaused = child.acceptErrors("EMFILE") + child.acceptErrors("ENFILE")
                    - errorsBefore;
            Figures.report("FdExhaustionTest: thief held %s, took %s more after %d sheds;"
                    + " %d accept errors in about 1 s with accepting paused", holds, stolen,
                    shedBeforeTheft, errorsWhilePaused);
            // Paused, the loop retries about once per pause; a busy loop reports thousands.
            assertThat(errorsWhilePaused).as("accept errors in about 1 s").isLessThan(100);

            child.ask("release", "RELEASED ");
            parked.setSoTimeout(5000);
            assertThat(parked.getInputStream().read())
                    .as("the connection that waited is served once descriptors are free")
                    .isEqualTo('q');
            closeAll(clients);
            assertThat(TestSupport.eventually(() -> child.fdCount() <= fdsIdle - 1))
                    .as("child back to %d descriptors, has %d", fdsIdle - 1, child.fdCount())
                    .isTrue();
            assertServes(address, 5);
            child.quit();
        } finally {
            closeAll(clients);
        }
    }

    private static Socket connect(InetSocketAddress address, List<Socket> clients)
            throws Exception {
        Socket s = new Socket();
        clients.add(s);
        s.connect(address, 5000);
        s.setSoTimeout(3000);
        return s;
    }

    /** True if nothing (no byte, no end) arrives on {@code s} within {@code millis}. */
    private static boolean stillWaiting(Socket s, int millis) throws Exception {
        s.setSoTimeout(millis);
        try {
            s.getInputStream().read();
            return false;
        } catch (SocketTimeoutException nothing) {
            return true;
        } catch (java.io.IOException reset) {
            return false;
        }
    }

    private static void assertServes(InetSocketAddress address, int connections)
            throws Exception {
        for (int i = 0; i < connections; i++) {
            try (Socket s = new Socket()) {
                s.connect(address, 5000);
                s.setSoTimeout(3000);
                assertThat(TestSupport.echoesByte(s, 'x')).as("served after recovery (#%d)", i)
                        .isTrue();
            }
        }
    }

    private static void closeAll(List<Socket> clients) throws Exception {
        for (Socket s : clients) {
            s.close();
        }
        clients.clear();
    }
}
