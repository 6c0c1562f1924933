package dev.uvtcp.launcher.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.runtime.FailedServerDTO;
import dev.uvtcp.runtime.RuntimeDTO;
import dev.uvtcp.runtime.ServerDTO;
import dev.uvtcp.runtime.TcpWhiteboardConstants;
import org.junit.jupiter.api.Test;

/** The banner states what is really served, and what is not and why. */
class ServerLinesTest {

    @Test
    void aServedAddressComesWithTheCommandThatReachesIt() {
        ServerDTO echo = new ServerDTO();
        echo.serviceId = 31;
        echo.bundleId = 16;
        echo.bundleSymbolicName = ServerLines.ECHO_PLUGIN;
        echo.address = "127.0.0.1:7007";
        echo.localAddress = "127.0.0.1:7007";
        assertThat(ServerLines.format(runtime(new ServerDTO[] {echo}, new FailedServerDTO[0]),
                "/opt/uvtcp/deploy")).isEqualTo("  serving:       127.0.0.1:7007 for"
                        + " dev.uvtcp.examples.echoplugin [16]: try nc 127.0.0.1 7007\n");
    }

    @Test
    void anAddressInUseIsNotServedAndTheEchoPluginGetsAHintWhereToMoveIt() {
        FailedServerDTO echo = new FailedServerDTO();
        echo.serviceId = 31;
        echo.bundleId = 16;
        echo.bundleSymbolicName = ServerLines.ECHO_PLUGIN;
        echo.address = "127.0.0.1:7007";
        echo.failureReason = TcpWhiteboardConstants.FAILURE_REASON_ADDRESS_IN_USE;
        echo.failureMessage = "EADDRINUSE: address already in use (listen 127.0.0.1:7007)";
        assertThat(ServerLines.format(runtime(new ServerDTO[0], new FailedServerDTO[] {echo}),
                "/opt/uvtcp/deploy")).isEqualTo(""
                        + "  NOT serving:   127.0.0.1:7007 for dev.uvtcp.examples.echoplugin"
                        + " [16]: EADDRINUSE: address already in use (listen 127.0.0.1:7007)\n"
                        + "                 give it another address in"
                        + " /opt/uvtcp/deploy/dev.uvtcp.examples.echo.cfg, e.g."
                        + " uvtcp.server.address = 127.0.0.1:7100\n");
    }

    @Test
    void withoutTheRuntimeNothingIsServedAndTheBannerSaysSo() {
        assertThat(ServerLines.format(null, "/opt/uvtcp/deploy"))
                .startsWith("  uvtcp:         NOT RUNNING, nothing is served");
        assertThat(ServerLines.format(runtime(new ServerDTO[0], new FailedServerDTO[0]), null))
                .isEqualTo("  serving:       nothing yet (no whiteboard plugin is"
                        + " registered)\n");
    }

    @Test
    void ncArgumentsReachWildcardAndV6Listeners() {
        assertThat(ServerLines.ncArguments("0.0.0.0:7007")).isEqualTo("127.0.0.1 7007");
        assertThat(ServerLines.ncArguments("[::1]:7008")).isEqualTo("::1 7008");
        assertThat(ServerLines.ncArguments("[::]:7009")).isEqualTo("::1 7009");
    }

    private static RuntimeDTO runtime(ServerDTO[] servers, FailedServerDTO[] failed) {
        RuntimeDTO runtime = new RuntimeDTO();
        runtime.servers = servers;
        runtime.failedServers = failed;
        return runtime;
    }
}
