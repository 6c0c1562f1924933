package dev.uvtcp.launcher.console;

import dev.uvtcp.runtime.FailedServerDTO;
import dev.uvtcp.runtime.RuntimeDTO;
import dev.uvtcp.runtime.ServerDTO;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The banner's lines about the whiteboard: one per server, served or not, with how to reach it
 * or why it failed. Laid out like the rest of the launcher's banner (a label, then the text).
 */
final class ServerLines {

    /** The echo plugin the launcher carries, and its configuration PID. */
    static final String ECHO_PLUGIN = "dev.uvtcp.examples.echoplugin";
    static final String ECHO_PID = "dev.uvtcp.examples.echo";

    private static final String INDENT = "                 ";

    private ServerLines() {
    }

    /**
     * @param runtime the whiteboard's state, or null if uvtcp is not running
     * @param deployFolder the deploy folder, for the hint about moving the echo plugin; may be
     *     null
     * @return the lines, each ending with a line break
     */
    static String format(RuntimeDTO runtime, String deployFolder) {
        if (runtime == null) {
            return "  uvtcp:         NOT RUNNING, nothing is served: the messages above say why,"
                    + " and so does uvtcp:servers\n";
        }
        List<ServerDTO> all = new ArrayList<>(List.of(runtime.servers));
        all.addAll(List.of(runtime.failedServers));
        all.sort(Comparator.comparingLong(s -> s.serviceId));
        if (all.isEmpty()) {
            return "  serving:       nothing yet (no whiteboard plugin is registered)\n";
        }
        StringBuilder lines = new StringBuilder();
        for (ServerDTO server : all) {
            String owner = server.bundleSymbolicName + " [" + server.bundleId + "]";
            if (server instanceof FailedServerDTO failed) {
                lines.append("  NOT serving:   ").append(server.address).append(" for ")
                        .append(owner).append(": ").append(failed.failureMessage).append('\n');
                if (ECHO_PLUGIN.equals(server.bundleSymbolicName)) {
                    lines.append(INDENT).append("give it another address in ")
                            .append(deployFolder == null ? "" : deployFolder + "/")
                            .append(ECHO_PID).append(".cfg, e.g. uvtcp.server.address ="
                                    + " 127.0.0.1:7100\n");
                }
            } else {
                lines.append("  serving:       ").append(server.localAddress).append(" for ")
                        .append(owner).append(": try nc ").append(ncArguments(server.localAddress))
                        .append('\n');
            }
        }
        return lines.toString();
    }

    /**
     * @param address {@code host:port} or {@code [v6]:port}, as the runtime describes it
     * @return {@code host port} for nc; a wildcard host becomes the loopback address
     */
    static String ncArguments(String address) {
        int colon = address.lastIndexOf(':');
        String host = address.substring(0, colon);
        String port = address.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.equals("0.0.0.0")) {
            host = "127.0.0.1";
        } else if (host.equals("::")) {
            host = "::1";
        }
        return host + " " + port;
    }
}
