package dev.uvtcp.service;

import dev.uvtcp.Tcp;
import dev.uvtcp.UvException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * The child process of {@link FdExhaustionTest}: an echo server on 127.0.0.1 that reports on
 * stdout, one line each: {@code PORT <n>} once listening, {@code ACCEPT_ERROR <name>} per
 * accept error, and answers commands on stdin: {@code count} with {@code CONNECTIONS <n>};
 * {@code steal} starts a {@link DescriptorThief} and answers {@code THIEF_HOLDS <n>} once it
 * holds every free descriptor; {@code stolen} answers {@code STOLEN <n>}, what it took since;
 * {@code release} stops it and answers {@code RELEASED <n>}. Ends when stdin closes or says
 * {@code quit}.
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
            DescriptorThief thief = null;
            String line;
            try {
                while ((line = in.readLine()) != null && !line.equals("quit")) {
                    if (line.equals("count")) {
                        say("CONNECTIONS " + (service.handles().size() - 1));
                    } else if (line.equals("steal") && thief == null) {
                        thief = new DescriptorThief();
                        say("THIEF_HOLDS " + thief.start());
                    } else if (line.equals("stolen") && thief != null) {
                        say("STOLEN " + thief.takenSinceStart());
                    } else if (line.equals("release") && thief != null) {
                        say("RELEASED " + thief.release());
                        thief = null;
                    }
                }
            } finally {
                if (thief != null) {
                    thief.release();
                }
            }
        }
    }
}
