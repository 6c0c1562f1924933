package dev.uvtcp.itest.consumer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;

import dev.uvtcp.ReadHandler;
import dev.uvtcp.Stream;
import dev.uvtcp.Tcp;
import dev.uvtcp.TcpService;
import dev.uvtcp.UvException;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/** A loopback echo server and client on a {@link TcpService}, used by the consumer and tests. */
public final class Echo {

    private Echo() {
    }

    /**
     * Starts an echo server on 127.0.0.1 and a free port: every byte received is written back;
     * a connection is closed when its peer ends it.
     *
     * @return the listening handle
     */
    public static Tcp serve(TcpService tcp) throws UvException {
        return tcp.listen("127.0.0.1", 0, 128, connection -> {
            try {
                connection.startReading(new ReadHandler() {
                    @Override
                    public void onRead(Stream stream, ByteBuffer data) {
                        // The slice is valid during the callback only: copy it.
                        ByteBuffer copy = ByteBuffer.allocate(data.remaining());
                        copy.put(data).flip();
                        stream.write(copy);
                    }

                    @Override
                    public void onEnd(Stream stream) {
                        stream.close();
                    }
                });
            } catch (UvException e) {
                connection.close();
            }
        });
    }

    /**
     * Connects to 127.0.0.1:port with {@code tcp}, sends {@code message} and waits (10 s at
     * most per step) until as many bytes came back. The client is closed afterwards.
     *
     * @return what came back
     */
    public static String roundTrip(TcpService tcp, int port, String message) throws Exception {
        byte[] bytes = message.getBytes(UTF_8);
        CompletableFuture<String> reply = new CompletableFuture<>();
        Tcp client = tcp.connect("127.0.0.1", port).toCompletableFuture().get(10, SECONDS);
        try {
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            client.startReading(new ReadHandler() {
                @Override
                public void onRead(Stream stream, ByteBuffer data) {
                    byte[] chunk = new byte[data.remaining()];
                    data.get(chunk);
                    received.write(chunk, 0, chunk.length);
                    if (received.size() >= bytes.length) {
                        reply.complete(received.toString(UTF_8));
                    }
                }

                @Override
                public void onEnd(Stream stream) {
                    reply.completeExceptionally(new EOFException("echo server ended the "
                            + "connection after " + received.size() + " bytes"));
                }

                @Override
                public void onError(Stream stream, UvException error) {
                    reply.completeExceptionally(error);
                }
            });
            client.write(ByteBuffer.wrap(bytes)).toCompletableFuture().get(10, SECONDS);
            return reply.get(10, SECONDS);
        } finally {
            client.close();
        }
    }
}
