package dev.uvtcp.itest.payara;

import static dev.uvtcp.itest.payara.ServerProbe.await;
import static dev.uvtcp.itest.payara.ServerProbe.awaitRoundTrip;
import static dev.uvtcp.itest.payara.ServerProbe.freePort;
import static dev.uvtcp.itest.payara.ServerProbe.httpGet;
import static dev.uvtcp.itest.payara.ServerProbe.read;
import static dev.uvtcp.itest.payara.ServerProbe.refuses;
import static dev.uvtcp.itest.payara.ServerProbe.required;
import static dev.uvtcp.itest.payara.ServerProbe.threadsStartingWith;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The example WAR in a real Payara Micro 6 (from Maven Central), started as a process with the
 * command-line options of the README ({@code --nohazelcast --disablephonehome}, HTTP on a free
 * port and on loopback only): the {@code @TcpServer} bean echoes on its configured port, the
 * status resource lists it, the {@code @Inject TcpService} client answers, and once the
 * application is undeployed (the JVM still running) no uvtcp thread is left and the port is
 * closed.
 *
 * <p>Payara Micro runs {@link MicroDriver} (Payara Micro's own {@code main} plus a command
 * reader on standard input), because its command line cannot undeploy an application.
 */
class PayaraMicroTest {

    private static final String WAR_NAME = "jakarta-echo";

    private Process micro;
    private OutputStream commands;
    private Path work;
    private Path output;

    @AfterEach
    void stopMicro() throws Exception {
        try {
            if (micro != null) {
                if (micro.isAlive() && commands != null) {
                    try {
                        commands.write("exit\n".getBytes(UTF_8));
                        commands.flush();
                    } catch (IOException alreadyGone) {
                        // stopped below
                    }
                }
                ServerProbe.stop(micro.toHandle(), 60);
                System.out.println("payara micro: uvtcp lines of its output:");
                read(output).lines().filter(line -> line.contains("uvtcp")
                        || line.contains("driver:") || line.contains("SEVERE"))
                        .forEach(System.out::println);
            }
        } finally {
            ServerProbe.deleteRecursively(work);
        }
    }

    @Test
    void warEchoesShowsItsStatusAndLeavesNoLoopThreadOnceUndeployed() throws Exception {
        Path files = Path.of(required("uvtcp.payara.files"));
        work = Path.of(required("uvtcp.payara.work")).resolve("micro");
        ServerProbe.deleteRecursively(work);
        Files.createDirectories(work);
        output = work.resolve("micro.out");
        int httpPort = freePort();
        int echoPort = freePort();
        Path preboot = work.resolve("preboot.asadmin");
        Files.writeString(preboot, "set configs.config.server-config.network-config"
                + ".network-listeners.network-listener.http-listener.address=127.0.0.1\n");

        Path microJar = files.resolve("payara-micro.jar");
        List<String> command = new ArrayList<>();
        command.add(ServerProbe.jdkTool("java"));
        command.addAll(manifestModuleOptions(microJar));
        command.add("-Decho/uvtcp.server.address=127.0.0.1:" + echoPort);
        command.addAll(List.of("-cp", microJar + ":" + Path.of(MicroDriver.class
                .getProtectionDomain().getCodeSource().getLocation().toURI()),
                MicroDriver.class.getName(),
                "--nohazelcast", "--disablephonehome",
                "--port", String.valueOf(httpPort),
                "--rootdir", work.resolve("root").toString(),
                "--prebootcommandfile", preboot.toString(),
                "--deploy", files.resolve(WAR_NAME + ".war").toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(output.toFile());
        ServerProbe.environment(builder);
        long start = System.nanoTime();
        micro = builder.start();
        commands = micro.getOutputStream();
        long pid = micro.pid();
        await(micro, "Payara Micro booted with the WAR", 300,
                () -> read(output).contains("driver: ready [" + WAR_NAME + "]"));
        System.out.printf("payara micro: ready %d ms after start%n",
                (System.nanoTime() - start) / 1_000_000);

        assertThat(awaitRoundTrip(micro, echoPort, "hello micro")).isEqualTo("hello micro");
        String base = "http://127.0.0.1:" + httpPort + "/" + WAR_NAME;
        String status = httpGet(base + "/status");
        System.out.println("payara micro: /status " + status);
        assertThat(status).contains("\"failedServers\":[]")
                .contains("\"localAddress\":\"127.0.0.1:" + echoPort + "\"")
                .contains("\"state\":\"listening\"")
                .contains("EchoServer of application " + WAR_NAME);
        assertThat(httpGet(base + "/ping?text=through-TcpService"))
                .isEqualTo("through-TcpService");
        assertThat(threadsStartingWith(pid, "uvtcp-loop-")).isEqualTo(1);
        assertThat(ServerProbe.listenersOffLoopback(pid)).isEmpty();

        commands.write(("undeploy " + WAR_NAME + "\n").getBytes(UTF_8));
        commands.flush();
        await(micro, "the undeployment", 120,
                () -> read(output).contains("driver: done undeploy " + WAR_NAME));

        assertThat(ServerProbe.threadNames(pid)).noneMatch(name -> name.startsWith("uvtcp-"));
        assertThat(refuses(echoPort)).isTrue();
        assertThat(micro.isAlive()).isTrue();
    }

    /**
     * The JVM options that {@code java -jar payara-micro.jar} takes from the jar's manifest
     * ({@code Add-Opens}, {@code Add-Exports}), for a launch with {@code -cp}.
     */
    private static List<String> manifestModuleOptions(Path jar) throws IOException {
        List<String> options = new ArrayList<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            Attributes main = file.getManifest().getMainAttributes();
            for (String header : List.of("Add-Opens", "Add-Exports")) {
                String value = main.getValue(header);
                if (value != null) {
                    for (String packageName : value.trim().split("\\s+")) {
                        options.add("--" + header.toLowerCase() + "=" + packageName
                                + "=ALL-UNNAMED");
                    }
                }
            }
        }
        return options;
    }
}
