package dev.uvtcp.bench;

import dev.uvtcp.ConnectionHandler;
import dev.uvtcp.ListenOptions;
import dev.uvtcp.LoopSpread;
import dev.uvtcp.Tcp;
import dev.uvtcp.UvException;
import dev.uvtcp.service.StandaloneTcpService;

/**
 * Listening with one or more loops: with several, connections are spread over them as
 * {@code spread} says ({@link ListenOptions#withLoopSpread(LoopSpread)}).
 */
final class UvtcpListen {

    private UvtcpListen() {
    }

    static Tcp listen(StandaloneTcpService uv, int port, LoopSpread spread,
            ConnectionHandler handler) throws UvException {
        ListenOptions options = ListenOptions.defaults().withBacklog(4096).withLoopSpread(spread);
        return uv.listen(new java.net.InetSocketAddress("127.0.0.1", port), options, handler);
    }
}
