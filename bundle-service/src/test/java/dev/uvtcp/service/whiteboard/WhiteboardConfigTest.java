package dev.uvtcp.service.whiteboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.uvtcp.runtime.TcpWhiteboardConstants;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The whiteboard's reading of {@code uvtcp.server.*} service properties. */
class WhiteboardConfigTest {

    private static InetSocketAddress address(Object value) throws Exception {
        return WhiteboardConfig.parseAddress(value);
    }

    @Test
    void aMissingHostMeansLoopbackNeverTheWildcard() throws Exception {
        assertThat(address("7007")).isEqualTo(new InetSocketAddress("127.0.0.1", 7007));
        assertThat(address(":7007")).isEqualTo(new InetSocketAddress("127.0.0.1", 7007));
        assertThat(address(7007)).isEqualTo(new InetSocketAddress("127.0.0.1", 7007));
        assertThat(address(" 127.0.0.1:0 ")).isEqualTo(new InetSocketAddress("127.0.0.1", 0));
        assertThat(address("0.0.0.0:80").getAddress().isAnyLocalAddress()).isTrue();
        assertThat(address("[::1]:7007")).isEqualTo(new InetSocketAddress("::1", 7007));
    }

    @Test
    void badAddressesAreInvalidAddresses() {
        for (Object bad : List.of("127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:", "x:y",
                "::1:7007", "[::1]7007", "[::1", "no-such-host.invalid:1", 1.5, "")) {
            assertThatThrownBy(() -> address(bad)).as(String.valueOf(bad))
                    .isInstanceOfSatisfying(WhiteboardConfig.InvalidException.class,
                            e -> assertThat(e.reason).isEqualTo(
                                    TcpWhiteboardConstants.FAILURE_REASON_INVALID_ADDRESS));
        }
    }

    @Test
    void aMalformedLiteralIsCalledInvalidNotUnknown() {
        assertThatThrownBy(() -> address("999.1.1.1:7007"))
                .isInstanceOfSatisfying(WhiteboardConfig.InvalidException.class, e -> {
                    assertThat(e.reason).isEqualTo(
                            TcpWhiteboardConstants.FAILURE_REASON_INVALID_ADDRESS);
                    assertThat(e.getMessage()).contains("invalid address '999.1.1.1'")
                            .doesNotContain("unknown host");
                });
    }

    @Test
    void optionsAreReadFromNumbersStringsAndBooleans() throws Exception {
        WhiteboardConfig config = WhiteboardConfig.parse(Map.of(
                TcpWhiteboardConstants.UVTCP_SERVER_ADDRESS, new String[] {"127.0.0.1:7"},
                TcpWhiteboardConstants.UVTCP_SERVER_BACKLOG, "16",
                TcpWhiteboardConstants.UVTCP_SERVER_NODELAY, "true",
                TcpWhiteboardConstants.UVTCP_SERVER_KEEPALIVE, 30,
                TcpWhiteboardConstants.UVTCP_SERVER_MAX_CONNECTIONS, 100L,
                TcpWhiteboardConstants.UVTCP_SERVER_IDLE_TIMEOUT, "5000"));
        assertThat(config.socketAddress()).isEqualTo(new InetSocketAddress("127.0.0.1", 7));
        assertThat(config.address()).isEqualTo("[127.0.0.1:7]");
        assertThat(config.options().backlog()).isEqualTo(16);
        assertThat(config.options().maxConnections()).isEqualTo(100);
        assertThat(config.options().idleTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.noDelay()).isTrue();
        assertThat(config.keepAliveSeconds()).isEqualTo(30);

        WhiteboardConfig defaults = WhiteboardConfig.parse(
                Map.of(TcpWhiteboardConstants.UVTCP_SERVER_ADDRESS, "7"));
        assertThat(defaults.options().backlog()).isEqualTo(128);
        assertThat(defaults.noDelay()).isFalse();
        assertThat(defaults.keepAliveSeconds()).isZero();
    }

    @Test
    void badOptionsAreInvalidProperties() {
        for (Map.Entry<String, Object> bad : List.<Map.Entry<String, Object>>of(
                Map.entry(TcpWhiteboardConstants.UVTCP_SERVER_BACKLOG, "many"),
                Map.entry(TcpWhiteboardConstants.UVTCP_SERVER_BACKLOG, -1),
                Map.entry(TcpWhiteboardConstants.UVTCP_SERVER_NODELAY, "yes"),
                Map.entry(TcpWhiteboardConstants.UVTCP_SERVER_MAX_CONNECTIONS, 0),
                Map.entry(TcpWhiteboardConstants.UVTCP_SERVER_KEEPALIVE, 2.5))) {
            assertThatThrownBy(() -> WhiteboardConfig.parse(Map.of(
                    TcpWhiteboardConstants.UVTCP_SERVER_ADDRESS, "7", bad.getKey(),
                    bad.getValue())))
                    .as(bad.toString())
                    .isInstanceOfSatisfying(WhiteboardConfig.InvalidException.class, e -> {
                        assertThat(e.reason).isEqualTo(
                                TcpWhiteboardConstants.FAILURE_REASON_INVALID_PROPERTY);
                        assertThat(e.getMessage()).startsWith(bad.getKey() + "=");
                    });
        }
    }

    @Test
    void onlyWhiteboardPropertiesDecideWhetherToRebind() {
        Map<String, Object> a = Map.of(TcpWhiteboardConstants.UVTCP_SERVER_ADDRESS, "7",
                "service.id", 1L, "other", "x");
        Map<String, Object> b = Map.of(TcpWhiteboardConstants.UVTCP_SERVER_ADDRESS, "7",
                "service.id", 1L, "other", "y");
        Map<String, Object> c = Map.of(TcpWhiteboardConstants.UVTCP_SERVER_ADDRESS, "8");
        assertThat(WhiteboardConfig.whiteboardProperties(a))
                .isEqualTo(WhiteboardConfig.whiteboardProperties(b))
                .isNotEqualTo(WhiteboardConfig.whiteboardProperties(c));
    }

    @Test
    void libuvErrorsMapToFailureReasons() {
        assertThat(WhiteboardServer.reason("EADDRINUSE"))
                .isEqualTo(TcpWhiteboardConstants.FAILURE_REASON_ADDRESS_IN_USE);
        assertThat(WhiteboardServer.reason("EACCES"))
                .isEqualTo(TcpWhiteboardConstants.FAILURE_REASON_PERMISSION_DENIED);
        assertThat(WhiteboardServer.reason("EPERM"))
                .isEqualTo(TcpWhiteboardConstants.FAILURE_REASON_PERMISSION_DENIED);
        assertThat(WhiteboardServer.reason("EADDRNOTAVAIL"))
                .isEqualTo(TcpWhiteboardConstants.FAILURE_REASON_ADDRESS_NOT_AVAILABLE);
        assertThat(WhiteboardServer.reason("EINVAL"))
                .isEqualTo(TcpWhiteboardConstants.FAILURE_REASON_BIND_FAILED);
        assertThat(WhiteboardServer.reason(null))
                .isEqualTo(TcpWhiteboardConstants.FAILURE_REASON_UNKNOWN);
    }
}
