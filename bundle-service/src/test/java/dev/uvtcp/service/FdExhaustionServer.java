package dev.uvtcp.service;

import dev.uvtcp.Tcp;
import dev.uvtcp.UvException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * The child process of {@link FdExhaustionTest}: an echo server on 127.0.0.1 that reports on
 * stdout, one line each: {@code PORT <n>} once listening, {@code ACCEPT_ERROR <name>} per
 * accept error, {@code CONNECTIONS <n>} when asked with a {@code count} line on stdin. Ends
 * when stdin closes or says {@code quit}.
 */
public final class FdExhaustionServer {

    private FdExhaustionServer() {
    }

    private static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    public static void main(String[] args) throws Exception {
        try (StandaloneTcpService service = StandaloneTcpService.start(
                TcpServiceSettings.defaults().withThreadNamePrefix("fdx-"))) {
            Tcp server = service.listen("127.0.0.1", 0, 1024, new dev.uvtcp.ConnectionHandler() {
                @Override
                public void onConnection(Tcp connection) {
                    try {
                        connection.startReading(TestSupport.ECHO);
                    } catch (UvException e) {
                        connection.close();
                    }
                }

                @Override
                public void onAcceptError(Tcp s, UvException error) {
                    say("ACCEPT_ERROR " + error.errorName());
                }
            });
            say("PORT " + server.localAddress().getPort());
            BufferedReader in = new BufferedReader(
                    new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null && !line.equals("quit")) {
                if (line.equals("count")) {
                    say("CONNECTIONS " + (service.handles().size() - 1));
                }
            }
        }
    }
}
