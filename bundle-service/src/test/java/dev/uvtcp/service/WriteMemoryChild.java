package dev.uvtcp.service;

import dev.uvtcp.Tcp;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * Run by {@link WriteMemoryBoundTest} in a JVM of its own with a small direct memory limit:
 * writes {@code count} buffers of {@code size} bytes ({@code heap} or {@code direct}) to a
 * peer that does not read, measures the direct memory held ({@link BufferPoolMXBean}
 * "direct"), then lets the peer read and checks every byte it receives. Prints one line
 * {@code RESULT key=value ...}; exits 0 unless the run itself broke.
 */
public final class WriteMemoryChild {

    private WriteMemoryChild() {
    }

    public static void main(String[] args) throws Exception {
        String kind = args[0];
        int count = Integer.parseInt(args[1]);
        int size = Integer.parseInt(args[2]);
        boolean heap = kind.equals("heap");
        BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)
                .stream().filter(p -> p.getName().equals("direct")).findFirst().orElseThrow();
        try (StandaloneTcpService uv = StandaloneTcpService.start(TcpServiceSettings.defaults()
                .withThreadNamePrefix("wmem-"));
                ServerSocketChannel peerServer = ServerSocketChannel.open()) {
            peerServer.setOption(StandardSocketOptions.SO_RCVBUF, 16 * 1024);
            peerServer.bind(new InetSocketAddress(TestSupport.LOOPBACK, 0), 4);
            Tcp client = TestSupport.await(uv.connect(
                    (InetSocketAddress) peerServer.getLocalAddress()));
            // The peer reads into direct memory taken before the count starts (a JDK socket
            // stream would take a temporary direct buffer per read, from the same capped pool).
            ByteBuffer sink = ByteBuffer.allocateDirect(64 * 1024);
            try (SocketChannel peer = peerServer.accept()) {
                client.setSendBufferSize(16 * 1024);
                ByteBuffer shared = null;
                if (!heap) {
                    shared = ByteBuffer.allocateDirect(size);
                    for (int i = 0; i < size; i++) {
                        shared.put(i, pattern(i));
                    }
                }
                long baseline = direct.getMemoryUsed();
                List<CompletableFuture<Void>> accepted = new ArrayList<>();
                long acceptedBytes = 0;
                int refused = 0;
                int acceptedAfterRefusal = 0;
                TreeSet<String> errors = new TreeSet<>();
                String thrown = "none";
                long peakDirect = 0;
                long peakQueueHeld = 0;
                for (int i = 0; i < count; i++) {
                    ByteBuffer buffer;
                    if (heap) {
                        byte[] bytes = new byte[size];
                        long offset = acceptedBytes;
                        for (int j = 0; j < size; j++) {
                            bytes[j] = pattern(offset + j);
                        }
                        buffer = ByteBuffer.wrap(bytes);
                    } else {
                        buffer = shared.duplicate();
                    }
                    CompletableFuture<Void> written;
                    try {
                        written = client.write(buffer).toCompletableFuture();
                    } catch (Throwable t) {
                        thrown = t.getClass().getName();
                        break;
                    }
                    if (written.isCompletedExceptionally()) {
                        refused++;
                        Throwable why = TestSupport.failureOf(written);
                        errors.add(why instanceof dev.uvtcp.UvException uv2 ? uv2.errorName()
                                : why.getClass().getSimpleName());
                    } else {
                        if (refused > 0) {
                            acceptedAfterRefusal++;
                        }
                        accepted.add(written);
                        acceptedBytes += size;
                    }
                    if (i % 64 == 0 || i == count - 1) {
                        peakDirect = Math.max(peakDirect, direct.getMemoryUsed() - baseline);
                        peakQueueHeld = Math.max(peakQueueHeld,
                                ((UvStream) client).writeBytesHeld());
                    }
                }
                // The peer reads now: every byte accepted must arrive, in order, exactly.
                long received = 0;
                long firstBad = -1;
                while (received < acceptedBytes) {
                    int n = peer.read(sink.clear());
                    if (n < 0) {
                        break;
                    }
                    for (int j = 0; j < n && firstBad < 0; j++) {
                        long p = received + j;
                        if (sink.get(j) != pattern(heap ? p : p % size)) {
                            firstBad = p;
                        }
                    }
                    received += n;
                }
                for (CompletableFuture<Void> w : accepted) {
                    TestSupport.await(w);
                }
                client.close();
                for (int n; (n = peer.read(sink.clear())) >= 0; ) {
                    received += n; // anything after the accepted bytes is wrong
                }
                long after = Long.MAX_VALUE;
                for (int tries = 0; tries < 20 && after > 4L * 1024 * 1024; tries++) {
                    System.gc();
                    Thread.sleep(50);
                    after = direct.getMemoryUsed() - baseline;
                }
                System.out.println("RESULT kind=" + kind + " count=" + count + " size=" + size
                        + " accepted=" + accepted.size() + " acceptedBytes=" + acceptedBytes
                        + " refused=" + refused + " acceptedAfterRefusal=" + acceptedAfterRefusal
                        + " errors=" + String.join(",", errors) + " thrown=" + thrown
                        + " peakDirect=" + peakDirect + " peakQueueHeld=" + peakQueueHeld
                        + " limit=" + client.maxWriteQueueSize()
                        + " received=" + received + " firstBad=" + firstBad
                        + " directAfter=" + after);
            }
        }
    }

    /** The byte at stream position {@code p}: a drop, shift or repeat changes what follows. */
    static byte pattern(long p) {
        long x = (p >>> 3) * 0x9E3779B97F4A7C15L;
        return (byte) ((x >>> 56) ^ p);
    }
}
