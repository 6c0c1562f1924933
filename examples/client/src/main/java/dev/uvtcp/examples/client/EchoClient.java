package dev.uvtcp.examples.client;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.uvtcp.ReadHandler;
import dev.uvtcp.Stream;
import dev.uvtcp.Tcp;
import dev.uvtcp.TcpService;
import dev.uvtcp.UvException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * The client side: a component that gets this bundle's own {@link TcpService} with
 * {@code @Reference} and connects out. On activation it sends {@link Config#message()} to
 * {@link Config#address()} (the echo plugin by default) and logs the answer, without blocking
 * the activation: everything after {@link TcpService#connect} happens on the loop thread.
 *
 * <p>Configurable under the PID {@value #PID} ({@code address}, {@code message}); a new
 * configuration re-activates the component, which connects again.
 */
@Component(immediate = true, configurationPid = EchoClient.PID)
public final class EchoClient {

    /** The configuration PID of the example. */
    public static final String PID = "dev.uvtcp.examples.client";

    private static final System.Logger LOG = System.getLogger(EchoClient.class.getName());

    /** The component's configuration, with its defaults. */
    public @interface Config {
        /** @return where to connect, {@code host:port} */
        String address() default "127.0.0.1:7007";

        /** @return what to send */
        String message() default "hello from the uvtcp client example";
    }

    private final CompletableFuture<String> answer = new CompletableFuture<>();

    /**
     * Connects, sends the message and logs the answer (asynchronously).
     *
     * @param tcp this bundle's TcpService; every handle made with it is closed when the bundle
     *     releases it, so a connection still open when the bundle stops is closed too
     * @param config where to connect and what to send
     */
    @Activate
    public EchoClient(@Reference TcpService tcp, Config config) {
        String address = config.address();
        int colon = address.lastIndexOf(':');
        String host = colon <= 0 ? "127.0.0.1" : address.substring(0, colon);
        int port = Integer.parseInt(address.substring(colon + 1).trim());
        byte[] message = config.message().getBytes(UTF_8);
        tcp.connect(host, port)
                .thenCompose(connection -> exchange(connection, message))
                .whenComplete((reply, error) -> {
                    if (error != null) {
                        LOG.log(System.Logger.Level.WARNING, "uvtcp client example: "
                                + address + " failed: " + error);
                        answer.completeExceptionally(error);
                    } else {
                        LOG.log(System.Logger.Level.INFO, "uvtcp client example: " + address
                                + " answered: " + reply);
                        answer.complete(reply);
                    }
                });
    }

    /** Loop thread: writes the message and reads until as many bytes came back. */
    private static CompletionStage<String> exchange(Tcp connection, byte[] message) {
        CompletableFuture<String> reply = new CompletableFuture<>();
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        try {
            connection.startReading(new ReadHandler() {
                @Override
                public void onRead(Stream stream, ByteBuffer data) {
                    byte[] chunk = new byte[data.remaining()];
                    data.get(chunk);
                    received.write(chunk, 0, chunk.length);
                    if (received.size() >= message.length) {
                        reply.complete(received.toString(UTF_8));
                    }
                }

                @Override
                public void onEnd(Stream stream) {
                    reply.complete(received.toString(UTF_8));
                }

                @Override
                public void onError(Stream stream, UvException error) {
                    reply.completeExceptionally(error);
                }
            });
        } catch (UvException e) {
            reply.completeExceptionally(e);
        }
        connection.write(ByteBuffer.wrap(message)).whenComplete((ignored, error) -> {
            if (error != null) {
                reply.completeExceptionally(error);
            }
        });
        return reply.whenComplete((text, error) -> connection.close());
    }

    /** @return the answer, once it came */
    CompletionStage<String> answer() {
        return answer;
    }

    /** Nothing to close by hand: releasing the TcpService closes the connection if open. */
    @Deactivate
    void deactivate() {
        answer.cancel(false);
    }
}
