package dev.uvtcp.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.uvtcp.Tcp;
import dev.uvtcp.UvException;
import dev.uvtcp.jni.UvNative;
import java.io.RandomAccessFile;
import java.nio.channels.DatagramChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code TcpService.open(fd)} with descriptors it must refuse or may only borrow. libuv 1.44
 * aborts the process when epoll refuses a descriptor it polls (regular files, directories,
 * {@code /dev/null}) or when a descriptor it polls is closed under it; {@code open} therefore
 * adopts a private duplicate of {@code fd}, checked to be a stream socket, and never touches
 * the caller's descriptor. Found while writing the misuse tests: {@code open} of a file
 * descriptor followed by {@code startReading} killed the JVM (SIGABRT), and so did a second
 * handle on another handle's descriptor once one of them closed it (RELIABILITY.md, 2b).
 */
class OpenDescriptorMisuseTest {

    @Test
    void filesDirectoriesDevicesAndPipesAreRefusedWithEnotsockAndStayTheCallers()
            throws Exception {
        Path file = Files.createTempFile("uvtcp-open-", ".txt");
        try (StandaloneTcpService service = TestSupport.startService("openfd")) {
            Files.writeString(file, "not a socket");
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
                refused(service, newFd(() -> raf), raf.getChannel().isOpen());
                assertThat(raf.read()).as("the file stays open and usable").isEqualTo('n');
            }
            try (FileChannel devNull = FileChannel.open(Path.of("/dev/null"),
                    StandardOpenOption.READ)) {
                refused(service, fdOf(Path.of("/dev/null")), devNull.isOpen());
            }
            try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
                refused(service, fdOf(file.getParent()), dir.isOpen());
            }
            Pipe pipe = Pipe.open();
            try {
                int fd = pipeFd();
                refused(service, fd, pipe.source().isOpen());
            } finally {
                pipe.source().close();
                pipe.sink().close();
            }
            assertThat(TestSupport.eventually(() -> service.handles().isEmpty()))
                    .as("handles of the refused opens closed: %s", service.handles()).isTrue();
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void aDatagramSocketIsRefusedWithEprototypeAndStaysTheCallers() throws Exception {
        try (StandaloneTcpService service = TestSupport.startService("openudp")) {
            Set<String> before = links();
            try (DatagramChannel udp = DatagramChannel.open()) {
                int fd = newSocketFd(before);
                assertThat(fd).as("the datagram socket's descriptor").isNotNegative();
                assertThatThrownBy(() -> service.open(fd))
                        .isInstanceOfSatisfying(UvException.class,
                                e -> assertThat(e.errorName()).isEqualTo("EPROTOTYPE"));
                assertThat(udp.isOpen()).isTrue();
                assertThat(Files.exists(Path.of("/proc/self/fd/" + fd))).isTrue();
            }
            assertThat(TestSupport.eventually(() -> service.handles().isEmpty()))
                    .as("handles of the refused opens closed: %s", service.handles()).isTrue();
        }
    }

    @Test
    void anotherHandlesDescriptorGivesAnIndependentHandleOnADuplicate() throws Exception {
        try (StandaloneTcpService service = TestSupport.startService("openfd2");
                StandaloneTcpService other = TestSupport.startService("openfd3")) {
            Tcp server = TestSupport.startEchoServer(service);
            Tcp a = TestSupport.await(service.connect(server.localAddress()));
            TestSupport.Collector reads = new TestSupport.Collector();
            a.startReading(reads);
            echo(a, reads, "first");
            int fd = a.fileno();
            // Once before counting: whatever the JVM opens lazily on first use is open then.
            openWriteAndClose(List.of(service, other), fd, reads);
            int before = fds().size();
            for (int i = 0; i < 20; i++) {
                openWriteAndClose(List.of(service, other), fd, reads);
            }
            // Before the duplicate, a second handle on fd could close it under the first,
            // and libuv aborted the process at the first's next read or write.
            echo(a, reads, "still mine");
            assertThat(a.fileno()).isEqualTo(fd);
            assertThat(fds().size()).as("descriptors after 40 adopted and closed duplicates")
                    .isLessThanOrEqualTo(before);
            a.close();
        }
    }

    @Test
    void theCallersDescriptorStaysOpenAfterTheAdoptedHandleIsClosed() throws Exception {
        try (StandaloneTcpService service = TestSupport.startService("openown")) {
            Tcp server = TestSupport.startEchoServer(service);
            int fd = UvNative.socketNew(UvNative.DOMAIN_INET);
            assertThat(fd).as("socketNew").isNotNegative();
            String socket = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            try {
                Tcp adopted = service.open(fd);
                assertThat(adopted.fileno()).as("the handle's own duplicate").isNotEqualTo(fd);
                TestSupport.await(adopted.connect(server.localAddress()));
                TestSupport.Collector reads = new TestSupport.Collector();
                adopted.startReading(reads);
                echo(adopted, reads, "adopted");
                adopted.close();
                TestSupport.await(adopted.closeFuture());
                assertThat(Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString())
                        .as("the caller's descriptor, still open, still the same socket")
                        .isEqualTo(socket);
            } finally {
                assertThat(UvNative.socketClose(fd)).as("the caller closes its own").isZero();
            }
        }
    }

    @Test
    void aClosedOrNeverOpenedDescriptorIsRefusedWithEbadf() throws Exception {
        try (StandaloneTcpService service = TestSupport.startService("openbad")) {
            // The loop opens libuv's spare descriptor with its first handle: before the number
            // closed below is free, or the spare would take it (ENOTSOCK then).
            service.newTcp().close();
            int closed = UvNative.socketNew(UvNative.DOMAIN_INET);
            assertThat(UvNative.socketClose(closed)).isZero();
            int neverOpened = fds().stream().mapToInt(Integer::parseInt).max().orElse(0) + 100;
            for (int fd : new int[] {closed, neverOpened, Integer.MAX_VALUE}) {
                assertThatThrownBy(() -> service.open(fd))
                        .as("open(%d)", fd)
                        .isInstanceOfSatisfying(UvException.class,
                                e -> assertThat(e.errorName()).isEqualTo("EBADF"));
            }
            assertThat(TestSupport.eventually(() -> service.handles().isEmpty()))
                    .as("handles of the refused opens closed: %s", service.handles()).isTrue();
        }
    }

    /**
     * Each service adopts {@code fd}, writes through its new handle (the echo comes back to
     * {@code reads}, the reader of the handle that owns {@code fd}: they share the socket) and
     * closes the handle again.
     */
    private static void openWriteAndClose(List<StandaloneTcpService> services, int fd,
            TestSupport.Collector reads) throws Exception {
        for (StandaloneTcpService s : services) {
            Tcp b = s.open(fd);
            assertThat(b.fileno()).as("a duplicate, not fd itself").isNotEqualTo(fd);
            TestSupport.await(b.write(TestSupport.ascii("via b")));
            assertThat(reads.takeString(5)).isEqualTo("via b");
            b.close();
            TestSupport.await(b.closeFuture());
        }
    }

    private static void echo(Tcp tcp, TestSupport.Collector reads, String text) {
        TestSupport.await(tcp.write(TestSupport.ascii(text)));
        assertThat(reads.takeString(text.length())).isEqualTo(text);
    }

    /** What each open descriptor points to, e.g. {@code socket:[1234]} (unique per socket). */
    private static Set<String> links() throws Exception {
        Set<String> links = new HashSet<>();
        for (String name : fds()) {
            try {
                links.add(Files.readSymbolicLink(Path.of("/proc/self/fd", name)).toString());
            } catch (java.io.IOException gone) {
                // the listing's own descriptor
            }
        }
        return links;
    }

    /** A descriptor of a socket that is open now and was not in {@code before} ({@link #links}). */
    private static int newSocketFd(Set<String> before) throws Exception {
        for (String name : fds()) {
            try {
                String link = Files.readSymbolicLink(Path.of("/proc/self/fd", name)).toString();
                if (link.startsWith("socket:") && !before.contains(link)) {
                    return Integer.parseInt(name);
                }
            } catch (java.io.IOException gone) {
                // the listing's own descriptor
            }
        }
        return -1;
    }

    private static void refused(StandaloneTcpService service, int fd, boolean stillOpen) {
        assertThat(fd).isNotNegative();
        assertThatThrownBy(() -> service.open(fd))
                .isInstanceOfSatisfying(UvException.class,
                        e -> assertThat(e.errorName()).isEqualTo("ENOTSOCK"));
        assertThat(stillOpen).isTrue();
        assertThat(Files.exists(Path.of("/proc/self/fd/" + fd)))
                .as("fd %d is still open", fd).isTrue();
    }

    private static Set<String> fds() throws Exception {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    /** The descriptor a file opened just now got (the first one not there before). */
    private static int newFd(Callable<Object> alreadyOpened) throws Exception {
        alreadyOpened.call();
        return fdOf(null);
    }

    /** A descriptor pointing at {@code target}, or (null) at the temp file. */
    private static int fdOf(Path target) throws Exception {
        for (String name : fds()) {
            try {
                Path link = Files.readSymbolicLink(Path.of("/proc/self/fd", name));
                boolean match = target == null
                        ? link.getFileName() != null
                                && link.getFileName().toString().startsWith("uvtcp-open-")
                        : link.equals(target);
                if (match) {
                    return Integer.parseInt(name);
                }
            } catch (java.io.IOException gone) {
                // the listing's own descriptor
            }
        }
        return -1;
    }

    private static int pipeFd() throws Exception {
        Set<String> seen = new HashSet<>();
        for (String name : fds()) {
            try {
                if (Files.readSymbolicLink(Path.of("/proc/self/fd", name)).toString()
                        .startsWith("pipe:")) {
                    seen.add(name);
                }
            } catch (java.io.IOException gone) {
                // the listing's own descriptor
            }
        }
        return seen.stream().mapToInt(Integer::parseInt).max().orElse(-1);
    }
}
