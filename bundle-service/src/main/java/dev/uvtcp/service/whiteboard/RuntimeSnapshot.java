package dev.uvtcp.service.whiteboard;

import dev.uvtcp.runtime.FailedServerDTO;
import dev.uvtcp.runtime.GraceListenerDTO;
import dev.uvtcp.runtime.HandleDTO;
import dev.uvtcp.runtime.LoopDTO;
import dev.uvtcp.runtime.RuntimeDTO;
import dev.uvtcp.runtime.ServerDTO;
import dev.uvtcp.service.LoopGroup;
import dev.uvtcp.service.RuntimeIntrospection;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@link RuntimeDTO} of a set of whiteboard servers and their loops, the same for every
 * container that drives {@link WhiteboardServer}s (the OSGi whiteboard, CDI).
 */
public final class RuntimeSnapshot {

    private RuntimeSnapshot() {
    }

    /**
     * Any thread; on a loop thread only that loop's handles are described (see
     * {@link RuntimeIntrospection}).
     *
     * @param group the loops, or null when they have not been started (no loops, no handles)
     * @param servers the servers, serving and failed
     * @param graceListeners the listeners kept in their grace period (none outside OSGi)
     * @return a new snapshot; never null, nor are its arrays
     */
    public static RuntimeDTO of(LoopGroup group, Iterable<WhiteboardServer> servers,
            GraceListenerDTO[] graceListeners) {
        List<ServerDTO> serving = new ArrayList<>();
        List<FailedServerDTO> failed = new ArrayList<>();
        for (WhiteboardServer server : servers) {
            ServerDTO dto = server.toDTO();
            if (dto instanceof FailedServerDTO failure) {
                failed.add(failure);
            } else {
                serving.add(dto);
            }
        }
        RuntimeDTO runtime = new RuntimeDTO();
        runtime.servers = serving.toArray(new ServerDTO[0]);
        runtime.failedServers = failed.toArray(new FailedServerDTO[0]);
        runtime.graceListeners = graceListeners;
        runtime.loops = group == null ? new LoopDTO[0] : RuntimeIntrospection.loops(group);
        runtime.handles = group == null ? new HandleDTO[0] : RuntimeIntrospection.handles(group);
        return runtime;
    }
}
