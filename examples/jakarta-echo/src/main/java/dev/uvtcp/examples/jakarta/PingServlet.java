package dev.uvtcp.examples.jakarta;

import dev.uvtcp.Tcp;
import dev.uvtcp.TcpService;
import dev.uvtcp.runtime.ServerDTO;
import dev.uvtcp.runtime.TcpServerRuntime;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /ping?text=hello}: a client of the echo server through the application's own
 * {@code TcpService}: connects to where the echo server listens, sends {@code text}, waits up
 * to 5 s for it to come back, answers it, closes the connection.
 */
@WebServlet("/ping")
public class PingServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Inject
    private transient TcpService tcp;
    @Inject
    private transient TcpServerRuntime runtime;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        String text = request.getParameter("text") == null ? "ping" : request.getParameter("text");
        ServerDTO[] servers = runtime.getRuntimeDTO().servers;
        if (servers.length == 0) {
            response.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE, "no echo server");
            return;
        }
        String[] hostPort = servers[0].localAddress.split(":(?=\\d+$)");
        byte[] sent = text.getBytes(StandardCharsets.UTF_8);
        Tcp client = null;
        try {
            client = tcp.connect(hostPort[0].replaceAll("[\\[\\]]", ""),
                    Integer.parseInt(hostPort[1])).toCompletableFuture().get(5, TimeUnit.SECONDS);
            CompletableFuture<String> echoed = new CompletableFuture<>();
            StringBuilder received = new StringBuilder();
            client.startReading((stream, data) -> {          // on the loop thread
                received.append(StandardCharsets.UTF_8.decode(data));
                if (received.length() >= text.length()) {
                    echoed.complete(received.toString());
                }
            });
            client.write(ByteBuffer.wrap(sent));
            response.setContentType("text/plain");
            response.setCharacterEncoding("UTF-8");
            response.getWriter().write(echoed.get(5, TimeUnit.SECONDS));
        } catch (Exception e) {
            response.sendError(HttpServletResponse.SC_BAD_GATEWAY, "echo failed: " + e);
        } finally {
            if (client != null) {
                client.close();
            }
        }
    }
}
