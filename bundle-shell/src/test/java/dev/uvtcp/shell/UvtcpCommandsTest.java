package dev.uvtcp.shell;

import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.runtime.FailedServerDTO;
import dev.uvtcp.runtime.GraceListenerDTO;
import dev.uvtcp.runtime.HandleDTO;
import dev.uvtcp.runtime.LoopDTO;
import dev.uvtcp.runtime.RuntimeDTO;
import dev.uvtcp.runtime.ServerDTO;
import dev.uvtcp.runtime.TcpWhiteboardConstants;
import org.junit.jupiter.api.Test;

/** The tables the commands print, from hand-made DTOs. */
class UvtcpCommandsTest {

    private static RuntimeDTO runtime() {
        ServerDTO serving = new ServerDTO();
        serving.serviceId = 31;
        serving.bundleId = 15;
        serving.bundleSymbolicName = "dev.uvtcp.examples.echoplugin";
        serving.address = "127.0.0.1:7007";
        serving.localAddress = "127.0.0.1:7007";
        serving.connections = 1;
        serving.acceptedConnections = 3;
        FailedServerDTO failed = new FailedServerDTO();
        failed.serviceId = 30;
        failed.bundleId = 16;
        failed.bundleSymbolicName = "other";
        failed.address = "7007";
        failed.failureReason = TcpWhiteboardConstants.FAILURE_REASON_ADDRESS_IN_USE;
        failed.failureMessage = "EADDRINUSE: address already in use (listen 127.0.0.1:7007)";
        LoopDTO loop = new LoopDTO();
        loop.name = "uvtcp-loop-0";
        loop.threadId = 23;
        loop.threadState = "RUNNABLE";
        loop.alive = true;
        loop.handleCount = 2;
        loop.cpuTimeMillis = -1;
        HandleDTO handle = new HandleDTO();
        handle.id = 5;
        handle.type = "TCP";
        handle.loop = "uvtcp-loop-0";
        handle.state = "connected";
        handle.reading = true;
        handle.localAddress = "127.0.0.1:7007";
        handle.remoteAddress = "127.0.0.1:50000";
        handle.bundleId = 15;
        handle.owner = "bundle x";
        handle.bytesRead = 4;
        handle.bytesWritten = 4;
        RuntimeDTO runtime = new RuntimeDTO();
        runtime.servers = new ServerDTO[] {serving};
        runtime.failedServers = new FailedServerDTO[] {failed};
        runtime.loops = new LoopDTO[] {loop};
        runtime.handles = new HandleDTO[] {handle};
        return runtime;
    }

    @Test
    void serversListsServingAndFailedByServiceIdWithTheReason() {
        assertThat(UvtcpCommands.servers(runtime())).isEqualTo(""
                + "SERVICE  BUNDLE                              ADDRESS         LISTENING-ON    STATUS                  CONNECTIONS  ACCEPTED\n"
                + "30       other [16]                          7007            -               FAILED: address in use  0            0\n"
                + "31       dev.uvtcp.examples.echoplugin [15]  127.0.0.1:7007  127.0.0.1:7007  serving                 1            3\n"
                + "service 30: EADDRINUSE: address already in use (listen 127.0.0.1:7007)\n");
    }

    @Test
    void aListenerInItsGracePeriodShowsWhatItHoldsAndHowLongItStays() {
        RuntimeDTO runtime = runtime();
        GraceListenerDTO kept = new GraceListenerDTO();
        kept.serviceId = 28;
        kept.bundleId = 14;
        kept.bundleSymbolicName = "dev.uvtcp.examples.upper";
        kept.address = "127.0.0.1:7008";
        kept.localAddress = "127.0.0.1:7008";
        kept.heldConnections = 2;
        kept.remainingMillis = 4250;
        runtime.graceListeners = new GraceListenerDTO[] {kept};
        assertThat(UvtcpCommands.servers(runtime)).isEqualTo(""
                + "SERVICE  BUNDLE                              ADDRESS         LISTENING-ON    STATUS                     CONNECTIONS  ACCEPTED\n"
                + "30       other [16]                          7007            -               FAILED: address in use     0            0\n"
                + "31       dev.uvtcp.examples.echoplugin [15]  127.0.0.1:7007  127.0.0.1:7007  serving                    1            3\n"
                + "28       dev.uvtcp.examples.upper [14]       127.0.0.1:7008  127.0.0.1:7008  grace: 2 held, 4.3 s left  -            -\n"
                + "service 30: EADDRINUSE: address already in use (listen 127.0.0.1:7007)\n");
        kept.heldConnections = -1;
        assertThat(UvtcpCommands.graceStatus(kept)).isEqualTo("grace: ? held, 4.3 s left");
    }

    @Test
    void loopsAndHandles() {
        assertThat(UvtcpCommands.loops(runtime())).isEqualTo(""
                + "LOOP          THREAD-ID  THREAD-STATE  ACTIVITY  WATCHING  HANDLES  CPU-MS\n"
                + "uvtcp-loop-0  23         RUNNABLE      idle      yes       2        -\n");
        assertThat(UvtcpCommands.handles(runtime())).isEqualTo(""
                + "ID  TYPE  LOOP          STATE              LOCAL           REMOTE           BUNDLE  BYTES-IN  BYTES-OUT  WRITE-QUEUE  OWNER\n"
                + "5   tcp   uvtcp-loop-0  connected,reading  127.0.0.1:7007  127.0.0.1:50000  15      4         4          0            bundle x\n"
                + "1 handle\n");
    }
}
