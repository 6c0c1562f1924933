package dev.uvtcp.examples.jakarta;

import dev.uvtcp.runtime.TcpServerRuntime;
import jakarta.inject.Inject;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * {@code GET /status}: the application's uvtcp runtime as JSON: {@code servers},
 * {@code failedServers} (with their reason), {@code loops} and {@code handles}, the data of the
 * {@code uvtcp:servers}, {@code uvtcp:loops} and {@code uvtcp:handles} shell commands.
 */
@WebServlet("/status")
public class StatusServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Inject
    private transient TcpServerRuntime runtime;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        try (Jsonb json = JsonbBuilder.create()) {
            response.getWriter().write(json.toJson(runtime.getRuntimeDTO()));
        } catch (Exception e) {
            throw new IOException("cannot write the status", e);
        }
    }
}
