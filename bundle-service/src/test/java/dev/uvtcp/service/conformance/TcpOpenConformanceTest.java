package dev.uvtcp.service.conformance;

import static dev.uvtcp.service.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.Tcp;
import dev.uvtcp.jni.UvNative;
import dev.uvtcp.service.TestSupport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * libuv's {@code test/test-tcp-open.c}. uvtcp's {@code open(fd)} adopts a duplicate of
 * {@code fd} (documented on {@code TcpService.open}), so where libuv refuses a descriptor it
 * already polls ({@code tcp_open}: EEXIST) or a second descriptor on one handle
 * ({@code tcp_open_twice}: EBUSY), uvtcp gives an independent handle on its own duplicate.
 */
class TcpOpenConformanceTest extends ConformanceFixture {

    @Test
    void tcp_open_anAdoptedSocketConnectsWritesShutsDownAndReadsTheEchoThenEOF() throws Exception {
        Tcp echo = TestSupport.startEchoServer(service);
        int sock = UvNative.socketNew(UvNative.DOMAIN_INET);
        assertThat(sock).isNotNegative();
        try {
            Tcp client = service.open(sock);
            await(client.connect(echo.localAddress()));
            TestSupport.Collector reads = new TestSupport.Collector();
            List<CompletionStage<Void>> stages = TestSupport.onLoopOf(client, () -> {
                CompletionStage<Void> write = client.write(TestSupport.ascii("PING"));
                CompletionStage<Void> shutdown = client.shutdown();
                client.startReading(reads);
                return List.of(write, shutdown);
            });
            await(stages.get(0));
            await(stages.get(1));
            assertThat(reads.takeString(4)).isEqualTo("PING");
            await(reads.end);
            client.close();
            await(client.closeFuture());
        } finally {
            assertThat(UvNative.socketClose(sock)).isZero();
        }
    }

    @Test
    void tcp_open_twice_openingOneDescriptorTwiceGivesTwoHandlesOnTheirOwnDuplicates()
            throws Exception {
        int sock = UvNative.socketNew(UvNative.DOMAIN_INET);
        try {
            Tcp first = service.open(sock);
            Tcp second = service.open(sock);
            assertThat(first.fileno()).isNotEqualTo(second.fileno()).isNotEqualTo(sock);
            first.close();
            second.close();
            await(first.closeFuture());
            await(second.closeFuture());
        } finally {
            assertThat(UvNative.socketClose(sock)).isZero();
        }
    }

    @Test
    void tcp_open_bound_anAdoptedBoundSocketListensAndAccepts() throws Exception {
        Tcp bound = service.newTcp();
        bound.bind(TestSupport.loopback(0));
        Tcp server = service.open(bound.fileno());
        assertThat(server.localAddress()).isEqualTo(bound.localAddress());
        CompletableFuture<Tcp> accepted = new CompletableFuture<>();
        server.listen(128, (s, error) -> {
            try {
                accepted.complete((Tcp) s.accept());
            } catch (Exception e) {
                accepted.completeExceptionally(e);
            }
        });
        Tcp client = await(service.connect(server.localAddress()));
        assertThat(await(accepted).remoteAddress()).isEqualTo(client.localAddress());
    }

    @Test
    void tcp_open_connected_anAdoptedConnectedSocketWritesShutsDownAndReadsEOF() throws Exception {
        TestSupport.Connection c = TestSupport.connection(service);
        TestSupport.Collector peer = new TestSupport.Collector();
        c.accepted().startReading(peer);
        Tcp adopted = service.open(c.client().fileno());
        TestSupport.Collector reads = new TestSupport.Collector();
        adopted.startReading(reads);
        await(adopted.write(TestSupport.ascii("PING")));
        await(adopted.shutdown());
        assertThat(peer.takeString(4)).isEqualTo("PING");
        await(peer.end);
        await(c.accepted().write(TestSupport.ascii("PONG")));
        c.accepted().close();
        assertThat(reads.takeString(4)).isEqualTo("PONG");
        await(reads.end);
    }

    @Test
    void tcp_open_whenNoDescriptorIsLeftForTheDuplicateOpenThrowsEMFILEAtTheCall()
            throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder("bash", "-c",
                "ulimit -n 64 && exec \"$0\" -Xmx64m -XX:-UsePerfData -cp \"$1\" "
                        + OpenWithoutDescriptorsChild.class.getName(),
                java.toString(), System.getProperty("java.class.path"));
        pb.redirectErrorStream(true);
        Process child = pb.start();
        try {
            CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(child.getInputStream().readAllBytes(),
                            StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("child ended").isTrue();
            String lines = await(output);
            assertThat(lines).as("child output").contains("OPEN EMFILE").contains("AFTER OK");
            assertThat(child.exitValue()).as("child exit; output:%n%s", lines).isZero();
        } finally {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
