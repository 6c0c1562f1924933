package dev.uvtcp.jni;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Our libuv patch ({@code src/main/native/patches/libuv-1.44.2-out-of-descriptors.patch}): a
 * server in a process out of descriptors sheds the pending connection and then tells its
 * connection callback EMFILE. Unpatched libuv 1.44.2 shed it without a word. The server runs
 * in a child JVM ({@link EmfileListenChild}) started with {@code ulimit -n 64}, so this JVM
 * keeps its descriptors.
 */
class EmfileReportTest {

    @Test
    void aServerOutOfDescriptorsShedsTheConnectionAndHearsEmfile() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder("bash", "-c",
                "ulimit -n 64 && exec \"$0\" -Xmx32m -XX:-UsePerfData -cp \"$1\" "
                        + EmfileListenChild.class.getName(),
                java.toString(), System.getProperty("java.class.path"));
        pb.redirectError(Path.of("target", "emfile-listen-child.err").toFile());
        Process child = pb.start();
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String port = out.readLine();
            assertThat(port).as("first line (stderr: target/emfile-listen-child.err)")
                    .startsWith("PORT ");
            String full = out.readLine();
            assertThat(full).as("descriptors exhausted").startsWith("FULL ").endsWith(" EMFILE");
            try (Socket client = new Socket()) {
                client.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"),
                        Integer.parseInt(port.substring(5))), 5000);
                client.setSoTimeout(5000);
                int read;
                try {
                    read = client.getInputStream().read();
                } catch (java.net.SocketException reset) {
                    read = -1;
                }
                assertThat(read).as("the shed connection ends").isEqualTo(-1);
            }
            assertThat(out.readLine()).isEqualTo("CONNECTION EMFILE");
            assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).isZero();
        } finally {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
