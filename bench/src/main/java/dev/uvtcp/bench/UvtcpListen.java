package dev.uvtcp.bench;

import dev.uvtcp.ConnectionHandler;
import dev.uvtcp.ListenOptions;
import dev.uvtcp.Tcp;
import dev.uvtcp.UvException;
import dev.uvtcp.service.StandaloneTcpService;

/**
 * Listening with one or more loops: with several, every loop gets its own SO_REUSEPORT
 * listener ({@link ListenOptions#withAllLoops(boolean)}).
 */
final class UvtcpListen {

    private UvtcpListen() {
    }

    static Tcp listen(StandaloneTcpService uv, int port, int loops, ConnectionHandler handler)
            throws UvException {
        ListenOptions options = ListenOptions.defaults().withBacklog(4096)
                .withAllLoops(loops > 1);
        return uv.listen(new java.net.InetSocketAddress("127.0.0.1", port), options, handler);
    }
}
