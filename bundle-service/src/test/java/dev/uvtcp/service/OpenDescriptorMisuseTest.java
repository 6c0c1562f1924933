package dev.uvtcp.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.uvtcp.UvException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code TcpService.open(fd)} with descriptors that are not sockets. libuv 1.44 aborts the
 * process when epoll refuses a descriptor it polls (regular files, directories,
 * {@code /dev/null}); uvtcp must refuse them with ENOTSOCK first, leaving them to their owner.
 * Found while writing the misuse tests: before the check, {@code open} of a file descriptor
 * followed by {@code startReading} killed the JVM (SIGABRT).
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
            assertThat(service.handles()).isEmpty();
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void aDescriptorAnotherHandleOwnsIsRefusedWithEbusy() throws Exception {
        try (StandaloneTcpService service = TestSupport.startService("openfd2");
                StandaloneTcpService other = TestSupport.startService("openfd3")) {
            dev.uvtcp.Tcp server = TestSupport.startEchoServer(service);
            dev.uvtcp.Tcp a = TestSupport.await(service.connect(server.localAddress()));
            int fd = a.fileno();
            for (StandaloneTcpService s : java.util.List.of(service, other)) {
                assertThatThrownBy(() -> s.open(fd))
                        .isInstanceOfSatisfying(UvException.class,
                                e -> assertThat(e.errorName()).isEqualTo("EBUSY"));
            }
            // Before the check, a second handle on the descriptor could close it under the
            // first, and libuv aborted the process at the first's next read or write.
            TestSupport.Collector reads = new TestSupport.Collector();
            a.startReading(reads);
            TestSupport.await(a.write(TestSupport.ascii("still mine")));
            assertThat(reads.takeString(10)).isEqualTo("still mine");
            a.close();
        }
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
