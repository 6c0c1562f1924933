package dev.uvtcp.service.conformance;

import dev.uvtcp.UvException;
import dev.uvtcp.jni.UvNative;
import dev.uvtcp.service.StandaloneTcpService;
import java.util.ArrayList;
import java.util.List;

/**
 * Run in a JVM with a low descriptor limit by {@link TcpOpenConformanceTest}: starts a
 * service, takes every free descriptor with plain sockets, then asks {@code open} to adopt one
 * of them, which needs one more descriptor for its duplicate. Prints {@code OPEN <error name>}
 * (or {@code OPEN OK}), gives the descriptors back, checks that the service still works, prints
 * {@code AFTER <error name or OK>} and ends.
 */
public final class OpenWithoutDescriptorsChild {

    private OpenWithoutDescriptorsChild() {
    }

    public static void main(String[] args) throws Exception {
        try (StandaloneTcpService service = StandaloneTcpService.start()) {
            // Load what the failure path needs while descriptors are left (class files).
            try {
                service.open(Integer.MAX_VALUE);
            } catch (UvException expected) {
                // EBADF
            }
            List<Integer> sockets = new ArrayList<>();
            int emfile = UvNative.errCode("EMFILE");
            for (int i = 0; i < 100_000; i++) {
                int fd = UvNative.socketNew(UvNative.DOMAIN_INET);
                if (fd == emfile) {
                    break;
                }
                if (fd < 0) {
                    throw new IllegalStateException("socketNew: " + UvNative.errName(fd));
                }
                sockets.add(fd);
            }
            String openAnswer;
            try {
                service.open(sockets.get(0)).close();
                openAnswer = "OK";
            } catch (UvException e) {
                openAnswer = e.errorName();
            }
            for (int fd : sockets) {
                UvNative.socketClose(fd);
            }
            System.out.println("OPEN " + openAnswer);
            String after;
            int fd = UvNative.socketNew(UvNative.DOMAIN_INET);
            try {
                service.open(fd).close();
                after = "OK";
            } catch (UvException e) {
                after = e.errorName();
            } finally {
                UvNative.socketClose(fd);
            }
            System.out.println("AFTER " + after);
        }
    }
}
