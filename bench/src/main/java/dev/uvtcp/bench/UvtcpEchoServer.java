package dev.uvtcp.bench;

import dev.uvtcp.LoopSpread;
import dev.uvtcp.ReadHandler;
import dev.uvtcp.Stream;
import dev.uvtcp.Tcp;
import dev.uvtcp.UvException;
import dev.uvtcp.service.StandaloneTcpService;
import dev.uvtcp.service.TcpServiceSettings;
import java.nio.ByteBuffer;

/**
 * The uvtcp echo server of the bench: the plain-Java entry point, {@code loops} loop threads
 * (default 1), 127.0.0.1:PORT. Writes back the read view it is handed (sent without a copy as
 * far as the kernel takes it at once). With several loops, SPREAD says how connections are
 * spread over them: {@code reuseport} (default, one SO_REUSEPORT listener per loop) or
 * {@code handoff} (one acceptor handing connections to the loops).
 *
 * <pre>java ... dev.uvtcp.bench.UvtcpEchoServer PORT [LOOPS [reuseport|handoff]]</pre>
 */
public final class UvtcpEchoServer {

    private UvtcpEchoServer() {
    }

    /** An echo handler: writes back what it reads, closes on end or error. */
    static final ReadHandler ECHO = new ReadHandler() {
        @Override
        public void onRead(Stream stream, ByteBuffer data) {
            stream.write(data);
        }

        @Override
        public void onEnd(Stream stream) {
            stream.close();
        }

        @Override
        public void onError(Stream stream, UvException error) {
            stream.close();
        }
    };

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int loops = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        LoopSpread spread = loops == 1 ? LoopSpread.ONE_LOOP
                : args.length > 2 && args[2].equals("handoff") ? LoopSpread.ACCEPTOR_HANDS_OFF
                : LoopSpread.LISTENER_PER_LOOP;
        StandaloneTcpService uv = StandaloneTcpService.start(
                TcpServiceSettings.defaults().withLoops(loops));
        Tcp server = UvtcpListen.listen(uv, port, spread, connection -> {
            try {
                connection.setNoDelay(true);
                connection.startReading(ECHO);
            } catch (UvException e) {
                connection.close();
            }
        });
        System.out.println("READY uvtcp libuv " + StandaloneTcpService.libuvVersion()
                + " loops " + loops + " " + spread + " on " + server.localAddress());
        System.out.flush();
        Thread.currentThread().join();
    }
}
