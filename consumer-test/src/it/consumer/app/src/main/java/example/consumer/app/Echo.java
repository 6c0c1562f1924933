package example.consumer.app;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.uvtcp.Tcp;
import dev.uvtcp.service.StandaloneTcpService;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Echoes its argument through a uvtcp server and client on 127.0.0.1 and prints one line that
 * says how it was run: on the class path, or on the module path with the modules it used.
 */
public final class Echo {

    private Echo() {
    }

    /**
     * Runs the echo.
     *
     * @param args the text to echo (default {@code hello})
     * @throws Exception if the echo fails or takes more than 10 seconds
     */
    public static void main(String[] args) throws Exception {
        String text = args.length > 0 ? args[0] : "hello";
        String echoed;
        try (StandaloneTcpService uv = StandaloneTcpService.start()) {
            Tcp server = uv.listen("127.0.0.1", 0, 16,
                    connection -> connection.startReading((stream, data) -> stream.write(data)));
            Tcp client = uv.connect("127.0.0.1", server.localAddress().getPort())
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            StringBuilder received = new StringBuilder();
            CompletableFuture<String> done = new CompletableFuture<>();
            client.startReading((stream, data) -> {     // on the loop thread
                received.append(UTF_8.decode(data));
                if (received.length() >= text.length()) {
                    done.complete(received.toString());
                }
            });
            client.write(ByteBuffer.wrap(text.getBytes(UTF_8)));
            echoed = done.get(10, TimeUnit.SECONDS);
        }
        Module self = Echo.class.getModule();
        String where = self.isNamed()
                ? "on the module path: " + self.getName() + " with "
                        + Tcp.class.getModule().getName() + " and "
                        + StandaloneTcpService.class.getModule().getName()
                : "on the class path";
        System.out.println("echoed \"" + echoed + "\" " + where);
    }
}
