package dev.uvtcp.jni;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TcpTest {

    private static final byte[] LOCALHOST = {127, 0, 0, 1};

    private static int port(byte[] sockaddr) {
        return ((sockaddr[1] & 0xff) << 8) | (sockaddr[2] & 0xff);
    }

    private static ByteBuffer direct(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer buffer = ByteBuffer.allocateDirect(bytes.length + 8);
        buffer.position(8); // data starts at an offset: positions must be honoured
        buffer.put(bytes);
        return buffer;
    }

    @Test
    void handleBoundToLoopbackPortZeroReportsItsPort() {
        try (TestLoop loop = new TestLoop()) {
            long tcp = loop.tcpInit(UvNative.DOMAIN_UNSPEC,
                    new RecordingCallbacks(loop.readBuffer));
            assertThat(tcp).isPositive();
            assertThat(UvNative.tcpBind(tcp, LOCALHOST, 0, 0, false)).isZero();
            byte[] name = new byte[UvNative.SOCKADDR_BYTES];
            assertThat(UvNative.tcpSockName(tcp, name)).isZero();
            assertThat(name[0]).isEqualTo((byte) 4);
            assertThat(port(name)).isBetween(1, 65535);
            assertThat(new byte[] {name[7], name[8], name[9], name[10]}).isEqualTo(LOCALHOST);
            assertThat(UvNative.handleType(tcp)).isPositive();
            assertThat(UvNative.fileno(tcp)).isNotNegative();
        }
    }

    @Test
    void listenConnectAcceptWriteReadRoundTrip() {
        try (TestLoop loop = new TestLoop()) {
            RecordingCallbacks serverCb = new RecordingCallbacks(loop.readBuffer);
            RecordingCallbacks clientCb = new RecordingCallbacks(loop.readBuffer);
            RecordingCallbacks acceptedCb = new RecordingCallbacks(loop.readBuffer);

            long server = loop.tcpInit(UvNative.DOMAIN_INET, serverCb);
            assertThat(UvNative.tcpBind(server, LOCALHOST, 0, 0, false)).isZero();
            assertThat(UvNative.listen(server, 16)).isZero();
            byte[] serverName = new byte[UvNative.SOCKADDR_BYTES];
            assertThat(UvNative.tcpSockName(server, serverName)).isZero();

            long client = loop.tcpInit(UvNative.DOMAIN_UNSPEC, clientCb);
            assertThat(UvNative.tcpConnect(client, LOCALHOST, port(serverName), 0)).isZero();
            loop.runUntil("connect and connection",
                    () -> clientCb.connectStatus != null && !serverCb.connections.isEmpty());
            assertThat(clientCb.connectStatus).isZero();
            assertThat(serverCb.connections).containsExactly(0);

            long accepted = loop.tcpInit(UvNative.DOMAIN_UNSPEC, acceptedCb);
            assertThat(UvNative.accept(server, accepted)).isZero();
            assertThat(UvNative.readStart(accepted)).isZero();
            byte[] peer = new byte[UvNative.SOCKADDR_BYTES];
            byte[] clientName = new byte[UvNative.SOCKADDR_BYTES];
            assertThat(UvNative.tcpPeerName(accepted, peer)).isZero();
            assertThat(UvNative.tcpSockName(client, clientName)).isZero();
            assertThat(peer).isEqualTo(clientName);

            ByteBuffer hello = direct("hello ");
            int first = UvNative.write(client, 1,
                    loop.iov(new ByteBuffer[] {hello}, new int[] {8}, new int[] {6}), 1, true);
            assertThat(first).isIn(UvNative.WRITE_DONE, UvNative.WRITE_QUEUED);
            ByteBuffer[] parts = {direct("uv"), direct("tcp")};
            int second = UvNative.write(client, 2,
                    loop.iov(parts, new int[] {8, 8}, new int[] {2, 3}), 2, false);
            assertThat(second).isEqualTo(UvNative.WRITE_QUEUED);

            loop.runUntil("11 bytes read", () -> acceptedCb.received.size() >= 11);
            assertThat(acceptedCb.received.toString(StandardCharsets.US_ASCII))
                    .isEqualTo("hello uvtcp");
            loop.runUntil("write callback", () -> clientCb.writes.stream().anyMatch(w -> w[0] == 2));
            Reference.reachabilityFence(hello);
            Reference.reachabilityFence(parts);
            assertThat(clientCb.writes).allSatisfy(w -> assertThat(w[1]).isZero());
            assertThat(UvNative.writeQueueSize(client)).isZero();

            assertThat(UvNative.shutdown(client)).isZero();
            loop.runUntil("shutdown and EOF",
                    () -> clientCb.shutdownStatus != null && !acceptedCb.readErrors.isEmpty());
            assertThat(clientCb.shutdownStatus).isZero();
            assertThat(acceptedCb.readErrors).containsExactly((long) UvNative.errCode("EOF"));

            UvNative.close(client);
            UvNative.close(accepted);
            UvNative.close(server);
            loop.runUntil("all closed",
                    () -> clientCb.closes + acceptedCb.closes + serverCb.closes == 3);
        }
    }

    @Test
    void tryFirstWriteOfSmallDataCompletesAtOnce() {
        try (TestLoop loop = new TestLoop()) {
            RecordingCallbacks serverCb = new RecordingCallbacks(loop.readBuffer);
            RecordingCallbacks clientCb = new RecordingCallbacks(loop.readBuffer);
            long server = loop.tcpInit(UvNative.DOMAIN_UNSPEC, serverCb);
            assertThat(UvNative.tcpBind(server, LOCALHOST, 0, 0, false)).isZero();
            assertThat(UvNative.listen(server, 16)).isZero();
            byte[] name = new byte[UvNative.SOCKADDR_BYTES];
            UvNative.tcpSockName(server, name);
            long client = loop.tcpInit(UvNative.DOMAIN_UNSPEC, clientCb);
            UvNative.tcpConnect(client, LOCALHOST, port(name), 0);
            loop.runUntil("connected", () -> clientCb.connectStatus != null);

            ByteBuffer[] parts = {direct("a"), direct("bc")};
            assertThat(UvNative.write(client, 7,
                    loop.iov(parts, new int[] {8, 8}, new int[] {1, 2}), 2, true))
                    .isEqualTo(UvNative.WRITE_DONE);
            assertThat(UvNative.tryWrite(client,
                    loop.iov(parts, new int[] {8, 8}, new int[] {1, 2}), 2))
                    .isEqualTo(3);
            assertThat(UvNative.bufferAddress(ByteBuffer.allocate(4))).as("heap buffer").isZero();
            assertThat(UvNative.write(client, 8, loop.iov(0, 4), 1, true))
                    .as("no address").isEqualTo(UvNative.errCode("EINVAL"));
            assertThat(UvNative.tryWrite(client, loop.iov(0, 4), 0))
                    .as("no buffer").isEqualTo(UvNative.errCode("EINVAL"));
            assertThat(clientCb.writes).isEmpty();
        }
    }

    @Test
    void largeVectoredWriteIsPartlyTriedThenQueuedAndArrivesIntact() {
        try (TestLoop loop = new TestLoop()) {
            RecordingCallbacks serverCb = new RecordingCallbacks(loop.readBuffer);
            RecordingCallbacks clientCb = new RecordingCallbacks(loop.readBuffer);
            RecordingCallbacks acceptedCb = new RecordingCallbacks(loop.readBuffer);
            long server = loop.tcpInit(UvNative.DOMAIN_UNSPEC, serverCb);
            assertThat(UvNative.tcpBind(server, LOCALHOST, 0, 0, false)).isZero();
            assertThat(UvNative.listen(server, 16)).isZero();
            byte[] name = new byte[UvNative.SOCKADDR_BYTES];
            UvNative.tcpSockName(server, name);
            long client = loop.tcpInit(UvNative.DOMAIN_UNSPEC, clientCb);
            UvNative.tcpConnect(client, LOCALHOST, port(name), 0);
            loop.runUntil("connected",
                    () -> clientCb.connectStatus != null && !serverCb.connections.isEmpty());
            long accepted = loop.tcpInit(UvNative.DOMAIN_UNSPEC, acceptedCb);
            assertThat(UvNative.accept(server, accepted)).isZero();

            // 20 buffers (more than fit on the native stack array), far more than the socket
            // buffers take at once: uv_try_write writes part, uv_write queues the rest.
            int count = 20;
            int size = 256 * 1024;
            ByteBuffer[] buffers = new ByteBuffer[count];
            int[] positions = new int[count];
            int[] lengths = new int[count];
            byte[] expected = new byte[count * (size - 3)];
            for (int i = 0; i < count; i++) {
                buffers[i] = ByteBuffer.allocateDirect(size);
                for (int j = 0; j < size; j++) {
                    buffers[i].put(j, (byte) (i * 31 + j));
                }
                positions[i] = 3;
                lengths[i] = size - 3;
                buffers[i].position(3).get(expected, i * (size - 3), size - 3);
            }
            assertThat(UvNative.write(client, 99, loop.iov(buffers, positions, lengths), count, true))
                    .isEqualTo(UvNative.WRITE_QUEUED);
            assertThat(UvNative.writeQueueSize(client)).isPositive();
            assertThat(UvNative.readStart(accepted)).isZero();
            loop.runUntil("all bytes read", () -> acceptedCb.received.size() >= expected.length);
            loop.runUntil("write callback", () -> !clientCb.writes.isEmpty());
            assertThat(clientCb.writes.get(0)).containsExactly(99, 0);
            // The contract: buffers stay reachable until onWrite (else GC frees their memory).
            Reference.reachabilityFence(buffers);
            assertThat(Arrays.mismatch(acceptedCb.received.toByteArray(), expected))
                    .as("index of the first wrong byte").isEqualTo(-1);
        }
    }

    @Test
    void closingCallsOnCloseExactlyOnce() {
        try (TestLoop loop = new TestLoop()) {
            RecordingCallbacks cb = new RecordingCallbacks(loop.readBuffer);
            long tcp = loop.tcpInit(UvNative.DOMAIN_INET, cb);
            UvNative.close(tcp);
            assertThat(UvNative.isClosing(tcp)).isTrue();
            UvNative.close(tcp); // already closing: no effect
            loop.runUntil("onClose", () -> cb.closes > 0);
            for (int i = 0; i < 3; i++) {
                UvNative.loopRun(loop.address, UvNative.RUN_NOWAIT);
            }
            assertThat(cb.closes).isEqualTo(1);
        }
    }

    @Test
    void loopShutdownClosesOpenHandles() {
        RecordingCallbacks cb;
        try (TestLoop loop = new TestLoop()) {
            cb = new RecordingCallbacks(loop.readBuffer);
            loop.tcpInit(UvNative.DOMAIN_INET, cb);
        }
        assertThat(cb.closes).isEqualTo(1);
    }

    @Test
    void socketOptionsSetThroughLibuvReadBack() {
        try (TestLoop loop = new TestLoop()) {
            RecordingCallbacks cb = new RecordingCallbacks(loop.readBuffer);
            long tcp = loop.tcpInit(UvNative.DOMAIN_INET, cb);
            assertThat(UvNative.tcpNoDelay(tcp, true)).isZero();
            assertThat(UvNative.tcpSocketOption(tcp, UvNative.OPTION_TCP_NODELAY)).isEqualTo(1);
            assertThat(UvNative.tcpKeepAlive(tcp, true, 42)).isZero();
            assertThat(UvNative.tcpSocketOption(tcp, UvNative.OPTION_SO_KEEPALIVE)).isEqualTo(1);
            assertThat(UvNative.tcpSocketOption(tcp, UvNative.OPTION_TCP_KEEPIDLE)).isEqualTo(42);
            assertThat(UvNative.sendBufferSize(tcp, 0)).isPositive();
            assertThat(UvNative.recvBufferSize(tcp, 65536)).isZero();
        }
    }

    @Test
    void tcpOpenAdoptsADuplicateAndLeavesTheCallersDescriptorOpen() throws Exception {
        int fd = UvNative.socketNew(UvNative.DOMAIN_INET6);
        assertThat(fd).isNotNegative();
        try (TestLoop loop = new TestLoop()) {
            RecordingCallbacks cb = new RecordingCallbacks(loop.readBuffer);
            long tcp = loop.tcpInit(UvNative.DOMAIN_UNSPEC, cb);
            assertThat(UvNative.tcpOpen(tcp, fd)).isZero();
            int own = UvNative.fileno(tcp);
            assertThat(own).as("the handle's descriptor").isNotNegative().isNotEqualTo(fd);
            byte[] any6 = new byte[16];
            any6[15] = 1; // ::1
            int bind = UvNative.tcpBind(tcp, any6, 0, 0, true);
            // IPv6 may be disabled on the machine; then the bind fails, cleanly.
            if (bind == 0) {
                byte[] name = new byte[UvNative.SOCKADDR_BYTES];
                assertThat(UvNative.tcpSockName(tcp, name)).isZero();
                assertThat(name[0]).isEqualTo((byte) 6);
            }
            String socket = linkOf(own);
            assertThat(socket).as("both name one socket").startsWith("socket:")
                    .isEqualTo(linkOf(fd));
            UvNative.close(tcp);
            loop.runUntil("closed", () -> cb.closes == 1);
            assertThat(linkOf(own)).as("the handle closed its duplicate").isNotEqualTo(socket);
        }
        assertThat(UvNative.socketClose(fd)).as("the caller's descriptor is still open").isZero();
        assertThat(UvNative.socketClose(fd)).isEqualTo(UvNative.errCode("EBADF"));
    }

    @Test
    void tcpOpenRefusesClosedDescriptorsAndNonSocketsAndKeepsNothingOpen() throws Exception {
        try (TestLoop loop = new TestLoop()) {
            RecordingCallbacks cb = new RecordingCallbacks(loop.readBuffer);
            long tcp = loop.tcpInit(UvNative.DOMAIN_UNSPEC, cb);
            int closed = UvNative.socketNew(UvNative.DOMAIN_INET);
            assertThat(UvNative.socketClose(closed)).isZero();
            long before = openDescriptors();
            assertThat(UvNative.tcpOpen(tcp, closed)).isEqualTo(UvNative.errCode("EBADF"));
            assertThat(UvNative.tcpOpen(tcp, -1)).isEqualTo(UvNative.errCode("EBADF"));
            try (java.io.FileInputStream devNull = new java.io.FileInputStream("/dev/null")) {
                int fd = descriptorOf(java.nio.file.Path.of("/dev/null"));
                assertThat(fd).isNotNegative();
                assertThat(UvNative.tcpOpen(tcp, fd)).isEqualTo(UvNative.errCode("ENOTSOCK"));
                assertThat(devNull.read()).as("still open, at EOF").isEqualTo(-1);
            }
            assertThat(openDescriptors()).as("no duplicate left open").isEqualTo(before);
            // A failed open leaves the handle without a socket, so it can still adopt one.
            int fd = UvNative.socketNew(UvNative.DOMAIN_INET);
            assertThat(UvNative.fileno(tcp)).isEqualTo(UvNative.errCode("EBADF"));
            assertThat(UvNative.tcpOpen(tcp, fd)).isZero();
            assertThat(UvNative.socketClose(fd)).isZero();
            UvNative.close(tcp);
            loop.runUntil("closed", () -> cb.closes == 1);
        }
    }

    /** What /proc/self/fd/N points to ({@code socket:[inode]}, a path), or "" if N is closed. */
    private static String linkOf(int fd) {
        try {
            return java.nio.file.Files.readSymbolicLink(
                    java.nio.file.Path.of("/proc/self/fd", Integer.toString(fd))).toString();
        } catch (java.io.IOException closed) {
            return "";
        }
    }

    /**
     * Descriptors of this process that a failed {@code tcpOpen} could leave behind: sockets and
     * {@code /dev/null}. Not every descriptor: the JVM may open a jar or a log file meanwhile.
     */
    private static long openDescriptors() throws java.io.IOException {
        try (java.util.stream.Stream<java.nio.file.Path> fds =
                java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            return fds.filter(link -> {
                try {
                    String target = java.nio.file.Files.readSymbolicLink(link).toString();
                    return target.startsWith("socket:") || target.equals("/dev/null");
                } catch (java.io.IOException gone) {
                    return false; // closed meanwhile (the listing's own descriptor, say)
                }
            }).count();
        }
    }

    private static int descriptorOf(java.nio.file.Path target) throws java.io.IOException {
        try (java.util.stream.Stream<java.nio.file.Path> fds =
                java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            for (java.nio.file.Path link : (Iterable<java.nio.file.Path>) fds::iterator) {
                try {
                    if (java.nio.file.Files.readSymbolicLink(link).equals(target)) {
                        return Integer.parseInt(link.getFileName().toString());
                    }
                } catch (java.io.IOException gone) {
                    // the listing's own descriptor
                }
            }
        }
        return -1;
    }
}
