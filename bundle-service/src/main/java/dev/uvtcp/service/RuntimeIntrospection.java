package dev.uvtcp.service;

import dev.uvtcp.Handle;
import dev.uvtcp.Loop;
import dev.uvtcp.UvException;
import dev.uvtcp.runtime.HandleDTO;
import dev.uvtcp.runtime.LoopDTO;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

/**
 * Snapshots of the loops and of every open handle for the {@link
 * dev.uvtcp.runtime.TcpServerRuntime} (and so for the {@code uvtcp:loops} and
 * {@code uvtcp:handles} shell commands). Handles are described on their own loop thread, where
 * their state may be read; called on a loop thread, only that loop's handles are described.
 */
public final class RuntimeIntrospection {

    private RuntimeIntrospection() {
    }

    /**
     * Any thread: the id introspection reports for {@code handle} (the number in its
     * {@code tcp#N} label), kept off the handle itself so that users see only its API.
     *
     * @throws IllegalArgumentException if {@code handle} was not made by this service core
     */
    public static int handleId(Handle handle) {
        if (!(handle instanceof UvHandle)) {
            throw new IllegalArgumentException("not a uvtcp handle: " + handle);
        }
        return ((UvHandle) handle).id();
    }

    public static LoopDTO[] loops(LoopGroup group) {
        boolean onLoop = group.current() != null;
        List<LoopDTO> result = new ArrayList<>();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (Loop each : group.loops()) {
            EventLoop loop = (EventLoop) each;
            Thread thread = loop.thread();
            LoopDTO dto = new LoopDTO();
            dto.name = loop.name();
            dto.threadId = thread.getId();
            dto.threadState = thread.getState().name();
            dto.busy = isBusy(loop);
            dto.handleCount = loop.handleCount();
            dto.cpuTimeMillis = -1;
            if (threads.isThreadCpuTimeSupported()) {
                long nanos = threads.getThreadCpuTime(thread.getId());
                dto.cpuTimeMillis = nanos < 0 ? -1 : nanos / 1_000_000;
            }
            if (!onLoop || loop.inLoop()) {
                try {
                    dto.alive = loop.isAlive();
                } catch (RuntimeException stopped) {
                    dto.alive = false;
                }
            }
            result.add(dto);
        }
        return result.toArray(new LoopDTO[0]);
    }

    /**
     * A loop thread waiting for I/O sits in the native {@code loopRun} (uv_run); anything else
     * on top of its stack is Java work: a callback, a queued task, a native call made by one.
     */
    private static boolean isBusy(EventLoop loop) {
        if (loop.inLoop()) {
            return true;
        }
        StackTraceElement[] stack = loop.thread().getStackTrace();
        if (stack.length == 0) {
            return false;
        }
        StackTraceElement top = stack[0];
        return !(top.isNativeMethod() && top.getMethodName().equals("loopRun"));
    }

    public static HandleDTO[] handles(LoopGroup group) {
        boolean onLoop = group.current() != null;
        List<HandleDTO> result = new ArrayList<>();
        for (Loop each : group.loops()) {
            EventLoop loop = (EventLoop) each;
            if (onLoop && !loop.inLoop()) {
                continue;
            }
            try {
                result.addAll(loop.call(() -> {
                    List<HandleDTO> onThisLoop = new ArrayList<>();
                    for (UvHandle handle : loop.handleList()) {
                        onThisLoop.add(describe(loop, handle));
                    }
                    return onThisLoop;
                }));
            } catch (RejectedExecutionException | UvException stopped) {
                // a loop that has stopped has no handles
            }
        }
        result.sort(Comparator.comparing((HandleDTO h) -> h.loop).thenComparingLong(h -> h.id));
        return result.toArray(new HandleDTO[0]);
    }

    /** Loop thread. */
    private static HandleDTO describe(EventLoop loop, UvHandle handle) {
        HandleDTO dto = new HandleDTO();
        dto.id = handle.id();
        dto.type = handle.type().name();
        dto.loop = loop.name();
        HandleOwner owner = handle.owner();
        dto.owner = owner.ownerName();
        dto.bundleId = owner.ownerBundleId();
        boolean open = handle.isOpen();
        boolean listening = false;
        if (handle instanceof UvStream stream && open) {
            StreamState state = stream.introspect();
            dto.bytesRead = state.bytesRead();
            dto.bytesWritten = state.bytesWritten();
            listening = state.listening();
            dto.reading = state.reading();
            try {
                dto.writeQueueSize = stream.writeQueueSize();
            } catch (RuntimeException closing) {
                dto.writeQueueSize = 0;
            }
        }
        if (handle instanceof UvTcp tcp && open) {
            dto.localAddress = address(tcp, true);
            if (!listening) {
                dto.remoteAddress = address(tcp, false);
            }
        }
        dto.state = !open ? "closing" : listening ? "listening"
                : dto.remoteAddress != null ? "connected" : "open";
        return dto;
    }

    private static String address(UvTcp tcp, boolean local) {
        try {
            InetSocketAddress address = local ? tcp.localAddress() : tcp.remoteAddress();
            return address == null ? null : SocketAddresses.describe(address);
        } catch (UvException | RuntimeException none) {
            return null;
        }
    }
}
