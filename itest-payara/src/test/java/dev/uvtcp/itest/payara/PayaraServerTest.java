package dev.uvtcp.itest.payara;

import static dev.uvtcp.itest.payara.ServerProbe.awaitRoundTrip;
import static dev.uvtcp.itest.payara.ServerProbe.freePort;
import static dev.uvtcp.itest.payara.ServerProbe.httpGet;
import static dev.uvtcp.itest.payara.ServerProbe.read;
import static dev.uvtcp.itest.payara.ServerProbe.refuses;
import static dev.uvtcp.itest.payara.ServerProbe.required;
import static dev.uvtcp.testsupport.Sockets.roundTrip;
import static dev.uvtcp.itest.payara.ServerProbe.threadsStartingWith;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * uvtcp in a real Payara Server 6 (the distribution from Maven Central) in a domain the test
 * creates: the three uvtcp bundles and the echo whiteboard plugin deployed as OSGi bundles
 * into Payara's Felix ({@code asadmin deploy --type=osgi}), and beside them the example WAR,
 * which carries its own uvtcp in {@code WEB-INF/lib}, deployed and then redeployed again and
 * again ({@code uvtcp.payara.redeploys} times, 20 unless the build says otherwise). After each
 * redeploy the WAR's echo answers, exactly one loop thread of the WAR runs (the old
 * application's was joined), the OSGi plugin still answers, and nothing says "already loaded
 * in another classloader"; at the end the descriptors are as many as after the first
 * redeploy, and the old applications' copies of the native library are unloaded.
 *
 * <p>Before the domain's first start its domain.xml is changed so that it stays on loopback
 * and quiet: every listener on 127.0.0.1, Hazelcast, phone-home and the embedded JMS broker
 * (which would listen on every address) disabled. Its ports are a
 * free range from {@code --portbase}. The domain is stopped with {@code asadmin stop-domain},
 * its JVM killed by PID if that fails, and its directory deleted.
 */
class PayaraServerTest {

    private static final String DOMAIN = "uvtcp";
    private static final String WAR_NAME = "jakarta-echo";
    /** The WAR's loop threads are named with this prefix (dev.uvtcp.threadNamePrefix). */
    private static final String WAR_LOOPS = "jakarta-echo-loop-";

    private Path home;
    private Path domains;
    private int adminPort;
    private ProcessHandle server;

    @AfterEach
    void stopDomain() throws Exception {
        try {
            if (server != null && server.isAlive()) {
                try {
                    asadmin(180, "stop-domain", "--domaindir", domains.toString(), DOMAIN);
                } catch (Exception | AssertionError e) {
                    System.out.println("payara server: stop-domain failed: " + e);
                }
                ServerProbe.stop(server, 30);
            }
            if (domains != null) {
                Path log = domains.resolve(DOMAIN).resolve("logs/server.log");
                System.out.println("payara server: uvtcp and SEVERE lines of server.log:");
                read(log).lines().filter(line -> line.contains("uvtcp")
                        || line.contains("SEVERE")).forEach(System.out::println);
            }
        } finally {
            if (domains != null) {
                ServerProbe.deleteRecursively(domains);
            }
        }
    }

    @Test
    void osgiBundlesAndTheRedeployedWarServeSideBySideWithNothingLeftBehind() throws Exception {
        home = Path.of(required("uvtcp.payara.home"));
        Path files = Path.of(required("uvtcp.payara.files"));
        domains = Path.of(required("uvtcp.payara.work")).resolve("domains");
        int redeploys = Integer.parseInt(required("uvtcp.payara.redeploys"));
        ServerProbe.deleteRecursively(domains);
        long start = System.nanoTime();

        int portBase = ServerProbe.freePortRange(100);
        adminPort = portBase + 48;
        int httpPort = portBase + 80;
        int pluginPort = freePort();
        int warPort = freePort();
        asadmin(300, "--interactive=false", "create-domain", "--nopassword", "--portbase",
                String.valueOf(portBase), "--domaindir", domains.toString(), DOMAIN);
        Path domain = domains.resolve(DOMAIN);
        keepOnLoopbackAndQuiet(domain.resolve("config/domain.xml"), warPort);
        // The echo plugin's address, read by Payara's FileInstall from autodeploy/.
        Files.createDirectories(domain.resolve("autodeploy"));
        Files.writeString(domain.resolve("autodeploy/dev.uvtcp.examples.echo.cfg"),
                "uvtcp.server.address = 127.0.0.1:" + pluginPort + "\n");

        asadmin(300, "start-domain", "--domaindir", domains.toString(), DOMAIN);
        long pid = Long.parseLong(Files.readString(domain.resolve("config/pid")).trim());
        server = ProcessHandle.of(pid).orElseThrow();
        System.out.printf("payara server: domain created and started in %d ms%n",
                millisSince(start));
        assertThat(asadmin(60, "get-hazelcast-configuration"))
                .containsPattern("Enabled\\s+false");
        assertThat(ServerProbe.listenersOffLoopback(pid)).isEmpty();

        for (String bundle : List.of("uvtcp-api", "uvtcp-native", "uvtcp-service",
                "uvtcp-example-echo-plugin")) {
            asadmin(120, "deploy", "--type=osgi", files.resolve(bundle + ".jar").toString());
        }
        assertThat(asadmin(60, "list-applications"))
                .containsPattern("uvtcp-api\\s+<osgi>").containsPattern("uvtcp-native\\s+<osgi>")
                .containsPattern("uvtcp-service\\s+<osgi>")
                .containsPattern("uvtcp-example-echo-plugin\\s+<osgi>");
        assertThat(awaitRoundTrip(null, pluginPort, "osgi plugin")).isEqualTo("osgi plugin");
        System.out.printf("payara server: OSGi plugin answering %d ms after start%n",
                millisSince(start));

        String war = files.resolve(WAR_NAME + ".war").toString();
        asadmin(300, "deploy", "--name", WAR_NAME, war);
        assertThat(roundTrip(warPort, "war")).isEqualTo("war");
        String status = httpGet("http://127.0.0.1:" + httpPort + "/" + WAR_NAME + "/status");
        assertThat(status).contains("\"localAddress\":\"127.0.0.1:" + warPort + "\"")
                .contains("\"name\":\"" + WAR_LOOPS + "0\"");
        assertThat(threadsStartingWith(pid, WAR_LOOPS)).isEqualTo(1);
        assertThat(threadsStartingWith(pid, "uvtcp-loop-")).isEqualTo(1);   // the OSGi loops

        int descriptorsAfterFirst = 0;
        long redeployStart = System.nanoTime();
        for (int i = 1; i <= redeploys; i++) {
            asadmin(300, "deploy", "--force=true", "--name", WAR_NAME, war);
            assertThat(roundTrip(warPort, "redeploy " + i)).isEqualTo("redeploy " + i);
            assertThat(threadsStartingWith(pid, WAR_LOOPS)).as("WAR loop threads after "
                    + "redeploy " + i).isEqualTo(1);
            assertThat(roundTrip(pluginPort, "plugin " + i)).isEqualTo("plugin " + i);
            if (i == 1) {
                ServerProbe.gc(pid);
                descriptorsAfterFirst = ServerProbe.descriptors(pid);
            }
        }
        long perRedeploy = millisSince(redeployStart) / Math.max(1, redeploys);
        ServerProbe.gc(pid);
        int descriptorsAfterLast = ServerProbe.descriptors(pid);
        Set<String> libraries = ServerProbe.mappedNativeLibraries(pid);
        System.out.printf("payara server: %d redeploys, %d ms each; descriptors %d after the"
                + " first, %d after the last; native libraries mapped: %s%n", redeploys,
                perRedeploy, descriptorsAfterFirst, descriptorsAfterLast, libraries);
        String log = read(domain.resolve("logs/server.log"));
        assertThat(log).doesNotContain("already loaded in another classloader");
        // A few descriptors come and go with Payara's own work (admin connections, logs).
        assertThat(descriptorsAfterLast).isLessThanOrEqualTo(descriptorsAfterFirst + 10);
        // The OSGi bundle's copy, the running WAR's, and at most one old WAR's not yet
        // collected: not one per redeploy.
        assertThat(libraries.size()).as("copies of libuvtcp mapped: " + libraries)
                .isLessThanOrEqualTo(3);

        asadmin(300, "undeploy", WAR_NAME);
        assertThat(threadsStartingWith(pid, WAR_LOOPS)).isZero();
        assertThat(refuses(warPort)).isTrue();
        assertThat(roundTrip(pluginPort, "plugin still")).isEqualTo("plugin still");
        System.out.printf("payara server: whole test %d ms%n", millisSince(start));
    }

    /**
     * Before the first start: every listener of the server's configuration on 127.0.0.1,
     * Hazelcast, phone-home and JMS off, and the WAR's settings as system properties.
     */
    private static void keepOnLoopbackAndQuiet(Path domainXml, int warPort) throws IOException {
        String xml = Files.readString(domainXml);
        // Only the first configuration, server-config; default-config is a template.
        int split = xml.indexOf("<config name=\"default-config\"");
        String server = xml.substring(0, split);
        server = server.replace("address=\"0.0.0.0\"", "address=\"127.0.0.1\"");
        server = server.replaceAll("<network-listener (?!address)",
                "<network-listener address=\"127.0.0.1\" ");
        // The embedded JMS broker would listen on every address (its proxy is started with
        // the server); nothing here uses JMS. A new domain's server-config has no
        // jms-service: its first start would add the default one, EMBEDDED.
        server = replaceOnce(server, "<config name=\"server-config\">",
                "<config name=\"server-config\">\n"
                + "            <jms-service type=\"DISABLED\" default-jms-host=\"default_JMS_host\">"
                + "<jms-host name=\"default_JMS_host\" host=\"localhost\""
                + " port=\"${JMS_PROVIDER_PORT}\" lazy-init=\"true\"></jms-host></jms-service>");
        server = replaceOnce(server, "<hazelcast-config-specific-configuration>",
                "<hazelcast-config-specific-configuration enabled=\"false\">");
        Matcher hazelcast = Pattern.compile("<hazelcast-runtime-configuration[^>]*>"
                + "\\s*</hazelcast-runtime-configuration>").matcher(server);
        if (!hazelcast.find()) {
            throw new IllegalStateException("domain.xml has no hazelcast-runtime-configuration");
        }
        server = server.substring(0, hazelcast.end())
                + "\n    <phone-home-runtime-configuration enabled=\"false\">"
                + "</phone-home-runtime-configuration>" + server.substring(hazelcast.end());
        server = replaceOnce(server, "<jvm-options>-server</jvm-options>",
                "<jvm-options>-server</jvm-options>\n"
                + "                <jvm-options>-Decho/uvtcp.server.address=127.0.0.1:"
                + warPort + "</jvm-options>\n"
                + "                <jvm-options>-Ddev.uvtcp.threadNamePrefix=" + WAR_LOOPS
                + "</jvm-options>");
        Files.writeString(domainXml, server + xml.substring(split));
    }

    private static String replaceOnce(String text, String from, String to) {
        int at = text.indexOf(from);
        if (at < 0) {
            throw new IllegalStateException("domain.xml has no " + from);
        }
        return text.substring(0, at) + to + text.substring(at + from.length());
    }

    /** Runs asadmin against this domain's admin port; fails with its output if it fails. */
    private String asadmin(long timeoutSeconds, String... arguments) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(home.resolve("bin/asadmin").toString());
        if (adminPort > 0 && !arguments[0].startsWith("--interactive")) {
            command.addAll(List.of("--port", String.valueOf(adminPort)));
        }
        command.addAll(List.of(arguments));
        String output = ServerProbe.run(command, timeoutSeconds);
        assertThat(output).as("asadmin " + String.join(" ", arguments))
                .contains("executed successfully");
        return output;
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }
}
