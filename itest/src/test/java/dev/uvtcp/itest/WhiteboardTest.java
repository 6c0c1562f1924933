package dev.uvtcp.itest;

import static dev.uvtcp.runtime.TcpWhiteboardConstants.FAILURE_REASON_ADDRESS_IN_USE;
import static dev.uvtcp.runtime.TcpWhiteboardConstants.FAILURE_REASON_INVALID_ADDRESS;
import static dev.uvtcp.runtime.TcpWhiteboardConstants.FAILURE_REASON_INVALID_PROPERTY;
import static dev.uvtcp.runtime.TcpWhiteboardConstants.UVTCP_SERVER_ADDRESS;
import static dev.uvtcp.runtime.TcpWhiteboardConstants.UVTCP_SERVER_BACKLOG;
import static dev.uvtcp.runtime.TcpWhiteboardConstants.UVTCP_SERVER_NODELAY;
import static dev.uvtcp.testsupport.Sockets.awaitRoundTrip;
import static dev.uvtcp.testsupport.Sockets.connect;
import static dev.uvtcp.testsupport.Sockets.freePort;
import static dev.uvtcp.testsupport.Sockets.refuses;
import static dev.uvtcp.testsupport.Sockets.roundTrip;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import dev.uvtcp.ConnectionHandler;
import dev.uvtcp.ReadHandler;
import dev.uvtcp.Stream;
import dev.uvtcp.UvException;
import dev.uvtcp.runtime.FailedServerDTO;
import dev.uvtcp.runtime.HandleDTO;
import dev.uvtcp.runtime.RuntimeDTO;
import dev.uvtcp.runtime.ServerDTO;
import dev.uvtcp.runtime.TcpServerRuntime;
import dev.uvtcp.testsupport.Await;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The whiteboard in Apache Felix: {@link ConnectionHandler} services with a
 * {@code uvtcp.server.address} become servers, their life cycle follows the service's, failures
 * are reported by the {@link TcpServerRuntime}, and the {@code uvtcp:*} commands run in Gogo
 * show it all. One framework for the whole class (every test uses its own free ports and
 * unregisters what it registered).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class WhiteboardTest {

    static final long WAIT_MS = 15_000;
    static final Duration WAIT = Duration.ofMillis(WAIT_MS);
    static final String ECHO_PLUGIN_BSN = "dev.uvtcp.examples.echoplugin";
    static final String ECHO_PLUGIN_PID = "dev.uvtcp.examples.echo";

    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();
    private final List<ServiceTracker<?, ?>> trackers = new ArrayList<>();

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        File bundles = new File(ItestBundles.requiredProperty("uvtcp.itest.bundles"));
        return ItestBundles.options(
                systemProperty("uvtcp.itest.bundles").value(bundles.getAbsolutePath()),
                ItestBundles.file("org.apache.felix.gogo.runtime.jar"),
                ItestBundles.file("uvtcp-shell.jar"));
    }

    @After
    public void cleanUp() {
        for (ServiceRegistration<?> registration : registrations) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // unregistered by the test
            }
        }
        registrations.clear();
        trackers.forEach(ServiceTracker::close);
        trackers.clear();
    }

    // ---------------------------------------------------------------- life cycle

    @Test
    public void registeredHandlerIsServedOwnedByItsBundleAndUnregisteringClosesEverything()
            throws Exception {
        int port = freePort();
        ServiceRegistration<ConnectionHandler> registration =
                register(echo(), "127.0.0.1:" + port);
        long serviceId = serviceId(registration);

        try (Socket client = connect(port)) {
            assertEquals("registered", roundTrip(client, "registered"));
            ServerDTO server = server(serviceId);
            assertEquals("127.0.0.1:" + port, server.address);
            assertEquals("127.0.0.1:" + port, server.localAddress);
            assertEquals(context().getBundle().getBundleId(), server.bundleId);
            await("one open connection counted", () -> server(serviceId).connections == 1);
            // The listener and the connection belong to the handler's bundle.
            List<HandleDTO> handles = handlesOf(context().getBundle().getBundleId());
            assertEquals(handles.toString(), 2, handles.size());
            assertTrue(handles.stream().anyMatch(h -> h.state.equals("listening")
                    && h.id == server.handleId));
            HandleDTO connection = handles.stream().filter(h -> h.state.equals("connected"))
                    .findFirst().orElseThrow();
            assertEquals("127.0.0.1:" + port, connection.localAddress);
            assertEquals(client.getLocalPort(),
                    Integer.parseInt(connection.remoteAddress.split(":")[1]));
            assertEquals(10, connection.bytesRead);
            assertEquals(10, connection.bytesWritten);

            registration.unregister();
            assertEquals("the connection ends when the service goes", -1,
                    client.getInputStream().read());
        }
        assertTrue("port closed", refuses(port));
        assertNull(find(runtime().getRuntimeDTO(), serviceId));
        await("no handle of the bundle left",
                () -> handlesOf(context().getBundle().getBundleId()).isEmpty());
    }

    @Test
    public void changingTheAddressRebindsAndKeepsOpenConnections() throws Exception {
        int first = freePort();
        int second = freePort();
        ServiceRegistration<ConnectionHandler> registration =
                register(echo(), "127.0.0.1:" + first);
        try (Socket early = connect(first)) {
            assertEquals("early", roundTrip(early, "early"));

            registration.setProperties(properties("127.0.0.1:" + second));

            assertEquals("moved", awaitRoundTrip(second, "moved", WAIT));
            assertTrue("old port closed", refuses(first));
            assertEquals("still open", roundTrip(early, "still open"));
            ServerDTO server = server(serviceId(registration));
            assertEquals("127.0.0.1:" + second, server.localAddress);
            assertEquals(2, server.acceptedConnections);
        }
        // A change of another property does not rebind.
        long handleId = server(serviceId(registration)).handleId;
        Hashtable<String, Object> withExtra = properties("127.0.0.1:" + second);
        withExtra.put("unrelated", "x");
        registration.setProperties(withExtra);
        assertEquals(handleId, server(serviceId(registration)).handleId);
    }

    @Test
    public void addressInUseIsReportedWithoutHarmingOtherServersAndRetriedWhenFree()
            throws Exception {
        int port = freePort();
        int other = freePort();
        ServiceRegistration<ConnectionHandler> first = register(echo(), "127.0.0.1:" + port);
        ServiceRegistration<ConnectionHandler> second = register(echo(), "127.0.0.1:" + port);
        ServiceRegistration<ConnectionHandler> third = register(echo(), ":" + other);

        FailedServerDTO failed = failed(serviceId(second));
        assertEquals(FAILURE_REASON_ADDRESS_IN_USE, failed.failureReason);
        assertEquals("EADDRINUSE", failed.errorName);
        assertTrue(failed.failureMessage, failed.failureMessage.contains("127.0.0.1:" + port));
        assertNull(failed.localAddress);
        // The others serve; a port without a host means loopback.
        assertEquals("a", awaitRoundTrip(port, "a", WAIT));
        assertEquals("b", awaitRoundTrip(other, "b", WAIT));
        assertEquals("127.0.0.1:" + other, server(serviceId(third)).localAddress);

        // When the first goes, the second is bound in its place.
        first.unregister();
        await("the second server took the port over",
                () -> find(runtime().getRuntimeDTO(), serviceId(second)) != null
                        && !(find(runtime().getRuntimeDTO(), serviceId(second))
                                instanceof FailedServerDTO));
        assertEquals("c", awaitRoundTrip(port, "c", WAIT));

        // A port held by someone else entirely.
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ServiceRegistration<ConnectionHandler> blocked =
                    register(echo(), "127.0.0.1:" + taken.getLocalPort());
            assertEquals(FAILURE_REASON_ADDRESS_IN_USE,
                    failed(serviceId(blocked)).failureReason);
        }
    }

    @Test
    public void badAddressesAndPropertiesAreReported() throws Exception {
        assertEquals(FAILURE_REASON_INVALID_ADDRESS,
                failed(serviceId(register(echo(), "127.0.0.1:99999"))).failureReason);
        assertEquals(FAILURE_REASON_INVALID_ADDRESS,
                failed(serviceId(register(echo(), "no-such-host.invalid:7"))).failureReason);
        assertEquals(FAILURE_REASON_INVALID_ADDRESS,
                failed(serviceId(register(echo(), "::1:7"))).failureReason);
        Hashtable<String, Object> badBacklog = properties("127.0.0.1:" + freePort());
        badBacklog.put(UVTCP_SERVER_BACKLOG, "many");
        FailedServerDTO failed = failed(serviceId(registerWith(echo(), badBacklog)));
        assertEquals(FAILURE_REASON_INVALID_PROPERTY, failed.failureReason);
        assertTrue(failed.failureMessage, failed.failureMessage.contains(UVTCP_SERVER_BACKLOG));
    }

    // ---------------------------------------------------------------- plugin and shell

    @Test
    public void echoPluginBundleAndAHandlerServeTwoPortsAndTheShellShowsThem() throws Exception {
        int pluginPort = freePort();
        int handlerPort = freePort();
        ConfigurationAdmin configAdmin = service(ConfigurationAdmin.class);
        Configuration configuration = configAdmin.getConfiguration(ECHO_PLUGIN_PID, "?");
        Hashtable<String, Object> config = new Hashtable<>();
        config.put(UVTCP_SERVER_ADDRESS, "127.0.0.1:" + pluginPort);
        configuration.update(config);
        Bundle plugin = context().installBundle(new File(System.getProperty(
                "uvtcp.itest.bundles"), "uvtcp-example-echo-plugin.jar").toURI().toString());
        try {
            plugin.start();
            Hashtable<String, Object> props = properties("127.0.0.1:" + handlerPort);
            props.put(UVTCP_SERVER_NODELAY, true);
            registerWith(echo(), props);

            assertEquals("plugin", awaitRoundTrip(pluginPort, "plugin", WAIT));
            assertEquals("handler", awaitRoundTrip(handlerPort, "handler", WAIT));

            try (Socket open = connect(pluginPort)) {
                assertEquals("open", roundTrip(open, "open"));
                String servers = shell("uvtcp:servers");
                System.out.println("uvtcp:servers\n" + servers);
                assertTrue(servers, servers.startsWith("SERVICE  BUNDLE"));
                assertTrue(servers, line(servers, "127.0.0.1:" + pluginPort)
                        .contains(ECHO_PLUGIN_BSN + " [" + plugin.getBundleId() + "]"));
                assertTrue(servers, line(servers, "127.0.0.1:" + pluginPort)
                        .matches(".*serving\\s+1\\s+2\\s*"));
                assertTrue(servers, line(servers, "127.0.0.1:" + handlerPort)
                        .contains("serving"));

                String handles = shell("uvtcp:handles");
                System.out.println("uvtcp:handles\n" + handles);
                assertTrue(handles, handles.startsWith("ID  TYPE  LOOP"));
                String connection = line(handles, "connected,reading");
                assertTrue(connection, connection.contains("bundle " + ECHO_PLUGIN_BSN));
                assertTrue(connection, connection.contains(
                        "127.0.0.1:" + pluginPort + "  127.0.0.1:" + open.getLocalPort()));
                assertTrue(connection, connection.matches(
                        ".*  " + plugin.getBundleId() + "\\s+4\\s+4\\s+0\\s+bundle .*"));

                String loops = shell("uvtcp:loops");
                System.out.println("uvtcp:loops\n" + loops);
                assertTrue(loops, loops.startsWith("LOOP "));
                assertTrue(loops, line(loops, "uvtcp-loop-0").matches(
                        "uvtcp-loop-0\\s+\\d+\\s+RUNNABLE\\s+(idle|busy)\\s+yes\\s+\\d+\\s+\\d+"));
                assertTrue(loops, loops.startsWith("LOOP          THREAD-ID  THREAD-STATE"
                        + "  ACTIVITY  WATCHING  HANDLES  CPU-MS\n"));
            }

            // A failed server shows with its reason.
            ServiceRegistration<ConnectionHandler> waiting =
                    registerWith(echo(), properties("127.0.0.1:" + pluginPort));
            String servers = shell("uvtcp:servers");
            assertTrue(servers, servers.contains("FAILED: address in use"));
            assertTrue(servers, servers.contains("EADDRINUSE"));

            // Stopping the plugin bundle closes its server; the waiting one takes the port.
            plugin.stop();
            await("the waiting server took the port over", () -> !(find(
                    runtime().getRuntimeDTO(), serviceId(waiting)) instanceof FailedServerDTO));
            waiting.unregister();
            await("the port closed", () -> refuses(pluginPort));
            assertEquals("handler", awaitRoundTrip(handlerPort, "handler", WAIT));
        } finally {
            plugin.uninstall();
            configuration.delete();
        }
    }

    @Test
    public void withTheServiceBundleStoppedTheCommandsSayWhyAndThenWorkAgain() throws Exception {
        Bundle service = Arrays.stream(context().getBundles())
                .filter(b -> "dev.uvtcp.service".equals(b.getSymbolicName())).findFirst()
                .orElseThrow();
        service.stop();
        try {
            await("the runtime service gone",
                    () -> context().getServiceReference(TcpServerRuntime.class) == null);
            for (String command : List.of("uvtcp:loops", "uvtcp:handles", "uvtcp:servers")) {
                assertEquals(command, "uvtcp is not running: the bundle dev.uvtcp.service ["
                        + service.getBundleId() + "] is not active (RESOLVED: it is stopped).\n",
                        shell(command));
            }
        } finally {
            service.start();
        }
        runtime();
        assertTrue(shell("uvtcp:servers").startsWith("SERVICE  BUNDLE"));
        assertTrue(shell("uvtcp:loops").startsWith("LOOP "));
    }

    // ---------------------------------------------------------------- helpers

    private static BundleContext context() {
        return FrameworkUtil.getBundle(WhiteboardTest.class).getBundleContext();
    }

    private <T> T service(Class<T> type) throws InterruptedException {
        ServiceTracker<T, T> tracker = new ServiceTracker<>(context(), type, null);
        tracker.open();
        trackers.add(tracker);
        T service = tracker.waitForService(WAIT_MS);
        assertNotNull("service " + type.getName(), service);
        return service;
    }

    private TcpServerRuntime runtime() {
        try {
            return service(TcpServerRuntime.class);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Runs a command in Gogo and returns what it printed. */
    private String shell(String command) throws Exception {
        CommandProcessor processor = service(CommandProcessor.class);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream print = new PrintStream(out, true, UTF_8)) {
            CommandSession session = processor.createSession(
                    new java.io.ByteArrayInputStream(new byte[0]), print, print);
            try {
                session.execute(command);
            } finally {
                session.close();
            }
        }
        return out.toString(UTF_8);
    }

    private static String line(String text, String containing) {
        return Arrays.stream(text.split("\n")).filter(l -> l.contains(containing)).findFirst()
                .orElseThrow(() -> new AssertionError("no line with " + containing + " in\n"
                        + text));
    }

    private static Hashtable<String, Object> properties(String address) {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(UVTCP_SERVER_ADDRESS, address);
        return properties;
    }

    private ServiceRegistration<ConnectionHandler> register(ConnectionHandler handler,
            String address) {
        return registerWith(handler, properties(address));
    }

    private ServiceRegistration<ConnectionHandler> registerWith(ConnectionHandler handler,
            Hashtable<String, Object> properties) {
        ServiceRegistration<ConnectionHandler> registration =
                context().registerService(ConnectionHandler.class, handler, properties);
        registrations.add(registration);
        return registration;
    }

    private static long serviceId(ServiceRegistration<?> registration) {
        return (Long) registration.getReference().getProperty("service.id");
    }

    private static ServerDTO find(RuntimeDTO runtime, long serviceId) {
        for (ServerDTO server : runtime.servers) {
            if (server.serviceId == serviceId) {
                return server;
            }
        }
        for (FailedServerDTO server : runtime.failedServers) {
            if (server.serviceId == serviceId) {
                return server;
            }
        }
        return null;
    }

    private ServerDTO server(long serviceId) {
        ServerDTO server = find(runtime().getRuntimeDTO(), serviceId);
        assertNotNull("server of service " + serviceId, server);
        if (server instanceof FailedServerDTO failed) {
            fail("service " + serviceId + " failed: " + failed.failureMessage);
        }
        return server;
    }

    private FailedServerDTO failed(long serviceId) {
        ServerDTO server = find(runtime().getRuntimeDTO(), serviceId);
        assertTrue("service " + serviceId + " is a failed server: " + server,
                server instanceof FailedServerDTO);
        return (FailedServerDTO) server;
    }

    private List<HandleDTO> handlesOf(long bundleId) {
        return Arrays.stream(runtime().getRuntimeDTO().handles)
                .filter(h -> h.bundleId == bundleId).collect(Collectors.toList());
    }

    /** An echo handler. */
    private static ConnectionHandler echo() {
        return connection -> {
            try {
                connection.startReading(new ReadHandler() {
                    @Override
                    public void onRead(Stream stream, ByteBuffer data) {
                        stream.write(data);
                    }

                    @Override
                    public void onEnd(Stream stream) {
                        stream.close();
                    }
                });
            } catch (UvException e) {
                connection.close();
            }
        };
    }

    private static void await(String what, BooleanSupplier condition) throws Exception {
        Await.until(what, WAIT, condition);
    }
}
