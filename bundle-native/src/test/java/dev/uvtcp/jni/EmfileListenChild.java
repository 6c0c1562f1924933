package dev.uvtcp.jni;

import java.nio.ByteBuffer;

/**
 * Run by {@link EmfileReportTest} in a JVM with a small descriptor limit: a libuv server on
 * 127.0.0.1 in a process with every descriptor taken. Prints, one line each: {@code PORT <n>}
 * once listening, {@code FULL <sockets> <error>} once descriptors are exhausted, then
 * {@code CONNECTION <status>} (libuv's error name, {@code 0}, or {@code none} after 10 s)
 * for the first connection callback.
 *
 * <p>Plain Java without test libraries, every object made before the descriptors run out:
 * loading a class from a jar or directory not yet opened would need a descriptor too.
 */
public final class EmfileListenChild {

    private EmfileListenChild() {
    }

    /** Records the first connection status of the one handle; 1 means none yet. */
    static final class Callbacks extends LoopCallbacks {
        volatile int status = 1;

        @Override
        public void onConnection(int handle, int s) {
            if (status == 1) {
                status = s;
            }
        }

        @Override
        public void onWakeup() {
        }

        @Override
        public void onRead(int handle, long nread, int offset) {
        }

        @Override
        public void onWrite(int handle, int requestId, int s) {
        }

        @Override
        public void onConnect(int handle, int s) {
        }

        @Override
        public void onShutdown(int handle, int s) {
        }

        @Override
        public void onClose(int handle) {
        }
    }

    /**
     * Runs the server; see the class comment.
     *
     * @param args ignored
     * @throws Exception if the set-up fails
     */
    public static void main(String[] args) throws Exception {
        Callbacks callbacks = new Callbacks();
        long loop = UvNative.loopNew(ByteBuffer.allocateDirect(1024), callbacks);
        long server = UvNative.tcpInit(loop, UvNative.DOMAIN_INET, 0);
        check(UvNative.tcpBind(server, new byte[] {127, 0, 0, 1}, 0, 0, false), "bind");
        check(UvNative.listen(server, 16), "listen");
        byte[] name = new byte[UvNative.SOCKADDR_BYTES];
        check(UvNative.tcpSockName(server, name), "getsockname");
        System.out.println("PORT " + (((name[1] & 0xff) << 8) | (name[2] & 0xff)));
        System.out.flush();

        int error = takeAll();
        System.out.println("FULL " + count + " " + (error < 0 ? UvNative.errName(error) : "-"));
        System.out.flush();

        long deadline = System.nanoTime() + 10_000_000_000L;
        while (callbacks.status == 1 && System.nanoTime() < deadline) {
            // The JVM may close a descriptor of its own at any time (seen once: the connection
            // was then accepted normally); take any such one again before libuv accepts.
            takeAll();
            UvNative.loopRun(loop, UvNative.RUN_NOWAIT);
            Thread.sleep(1);
        }
        for (int i = 0; i < count; i++) {
            UvNative.socketClose(TAKEN[i]);
        }
        int status = callbacks.status;
        System.out.println("CONNECTION "
                + (status == 1 ? "none" : status == 0 ? "0" : UvNative.errName(status)));
        System.out.flush();
    }

    /** Descriptors taken so far, to be given back before printing the result. */
    private static final int[] TAKEN = new int[4096];
    private static int count;

    /** Takes descriptors until none are left; returns the error that stopped it (or 0). */
    private static int takeAll() {
        while (count < TAKEN.length) {
            int fd = UvNative.socketNew(UvNative.DOMAIN_INET);
            if (fd < 0) {
                return fd;
            }
            TAKEN[count++] = fd;
        }
        return 0;
    }

    private static void check(int result, String what) {
        if (result < 0) {
            throw new IllegalStateException(what + ": " + UvNative.errName(result));
        }
    }
}
