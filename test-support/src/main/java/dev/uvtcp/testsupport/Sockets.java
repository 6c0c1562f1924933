package dev.uvtcp.testsupport;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

/**
 * Plain blocking sockets on 127.0.0.1, as an outside client of a uvtcp server sees it.
 *
 * <p>Thread safety: the methods are static and share nothing; a returned {@link Socket} belongs
 * to the caller, who closes it. Every connect and every read is bounded in time.
 */
public final class Sockets {

    /** The only address the tests talk to. */
    public static final String LOOPBACK = "127.0.0.1";
    /** How long a connect may take: on loopback it is answered at once or refused. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** How long a read of {@link #connect(int)}'s socket may block. */
    public static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

    private Sockets() {
    }

    /**
     * A port that was free on 127.0.0.1 a moment ago (the kernel chose it, then it was closed).
     * Another process may take it before the caller binds it; on a test machine that is rare.
     *
     * @return the port number
     * @throws IOException if no port can be bound
     */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
            return socket.getLocalPort();
        }
    }

    /**
     * Connects to 127.0.0.1:{@code port} within {@link #CONNECT_TIMEOUT}; reads on the socket
     * time out after {@link #READ_TIMEOUT}.
     *
     * @param port the port
     * @return the connected socket, the caller's to close
     * @throws IOException if the connect fails (refused, timed out)
     */
    public static Socket connect(int port) throws IOException {
        return connect(port, READ_TIMEOUT);
    }

    /**
     * Connects to 127.0.0.1:{@code port} within {@link #CONNECT_TIMEOUT}; reads on the socket
     * time out after {@code readTimeout}.
     *
     * @param port the port
     * @param readTimeout how long a read may block
     * @return the connected socket, the caller's to close
     * @throws IOException if the connect fails (refused, timed out)
     */
    public static Socket connect(int port, Duration readTimeout) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(LOOPBACK, port),
                    (int) CONNECT_TIMEOUT.toMillis());
            socket.setSoTimeout((int) readTimeout.toMillis());
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * Writes {@code message} (UTF-8) and reads as many bytes back: what an echo server answers.
     * The answer is shorter than the message if the peer closed the connection first.
     *
     * @param socket a connected socket
     * @param message the text to send
     * @return the text read back
     * @throws IOException if writing or reading fails or the read times out
     */
    public static String roundTrip(Socket socket, String message) throws IOException {
        byte[] bytes = message.getBytes(UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(bytes);
        out.flush();
        return new String(socket.getInputStream().readNBytes(bytes.length), UTF_8);
    }

    /**
     * {@link #roundTrip(Socket, String)} on a connection of its own, closed afterwards.
     *
     * @param port the port on 127.0.0.1
     * @param message the text to send
     * @return the text read back
     * @throws IOException if the connect, the write or the read fails
     */
    public static String roundTrip(int port, String message) throws IOException {
        try (Socket socket = connect(port)) {
            return roundTrip(socket, message);
        }
    }

    /**
     * Whether a connect to 127.0.0.1:{@code port} is refused, i.e. nothing listens there. Any
     * other outcome (accepted, timed out) is not a refusal.
     *
     * @param port the port
     * @return true if the connect was refused
     */
    public static boolean refuses(int port) {
        try (Socket ignored = connect(port)) {
            return false;
        } catch (ConnectException refused) {
            return true;
        } catch (IOException other) {
            return false;
        }
    }

    /**
     * Repeats {@link #roundTrip(int, String)} until the whole message comes back: for a server
     * that is still starting (refused) or rebinding (closed early).
     *
     * @param port the port on 127.0.0.1
     * @param message the text to send
     * @param timeout how long to keep trying
     * @param abort asked between tries: a reason to stop waiting (the server's process ended),
     *     or null to go on
     * @return the answer, equal in length to the message
     * @throws InterruptedException if interrupted while waiting
     * @throws AssertionError if no full answer came within the timeout, or {@code abort} gave
     *     a reason
     */
    public static String awaitRoundTrip(int port, String message, Duration timeout,
            Await.Abort abort) throws InterruptedException {
        String[] reply = new String[1];
        Await.until("an answer to \"" + message + "\" on port " + port, timeout, () -> {
            try {
                reply[0] = roundTrip(port, message);
                return reply[0].length() == message.length();
            } catch (IOException notYet) {
                return false;
            }
        }, abort);
        return reply[0];
    }

    /**
     * {@link #awaitRoundTrip(int, String, Duration, Await.Abort)} with nothing to abort on.
     *
     * @param port the port on 127.0.0.1
     * @param message the text to send
     * @param timeout how long to keep trying
     * @return the answer, equal in length to the message
     * @throws InterruptedException if interrupted while waiting
     * @throws AssertionError if no full answer came within the timeout
     */
    public static String awaitRoundTrip(int port, String message, Duration timeout)
            throws InterruptedException {
        return awaitRoundTrip(port, message, timeout, Await.NEVER);
    }
}
