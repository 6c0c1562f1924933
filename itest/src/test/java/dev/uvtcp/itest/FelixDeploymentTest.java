package dev.uvtcp.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNotSame;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import dev.uvtcp.HandleClosedException;
import dev.uvtcp.Loop;
import dev.uvtcp.Tcp;
import dev.uvtcp.TcpService;
import dev.uvtcp.itest.consumer.Echo;
import dev.uvtcp.itest.consumer.EchoConsumer;
import dev.uvtcp.testsupport.Await;
import dev.uvtcp.testsupport.Processes;
import dev.uvtcp.testsupport.Sockets;
import java.io.File;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The three uvtcp bundles in Apache Felix with SCR, Configuration Admin and Metatype, each test
 * in a fresh framework in its own JVM (Pax Exam's forked container, one per test method).
 *
 * <p>The configuration method runs in the test driver: it builds the consumer bundle with bnd.
 * Everything else runs inside the framework, in the test probe bundle.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class FelixDeploymentTest {

    static final String API_BSN = "dev.uvtcp";
    static final String NATIVE_BSN = "dev.uvtcp.jni";
    static final String SERVICE_BSN = "dev.uvtcp.service";
    static final String PID = "dev.uvtcp";
    static final String LOOP_PREFIX = "uvtcp-loop-";
    static final long WAIT_MS = 15_000;
    static final Duration WAIT = Duration.ofMillis(WAIT_MS);
    static final int ROUNDS = 20;

    private final Map<Class<?>, ServiceTracker<?, ?>> trackers = new java.util.HashMap<>();

    // ---------------------------------------------------------------- configuration (driver)

    @org.ops4j.pax.exam.Configuration
    public Option[] config() throws Exception {
        File bundles = new File(ItestBundles.requiredProperty("uvtcp.itest.bundles"));
        File testClasses = new File(ItestBundles.requiredProperty("uvtcp.itest.classes"));
        File work = new File(ItestBundles.requiredProperty("uvtcp.itest.work"));
        File consumer = ConsumerBundle.build(testClasses, new File(bundles, "uvtcp-api.jar"),
                new File(work, "uvtcp-itest-consumer.jar"));
        return ItestBundles.options(
                systemProperty("uvtcp.itest.consumer").value(consumer.getAbsolutePath()));
    }

    // ---------------------------------------------------------------- tests (in Felix)

    @Test
    public void bundlesResolveAndStartAndTcpServiceAndMetatypeAppear() throws Exception {
        for (String bsn : List.of(API_BSN, NATIVE_BSN, SERVICE_BSN)) {
            assertEquals(bsn + " state", Bundle.ACTIVE, installed(bsn).getState());
        }
        // The service bundle keeps its package private: it exports nothing.
        BundleWiring serviceWiring = installed(SERVICE_BSN).adapt(BundleWiring.class);
        assertEquals("packages exported by " + SERVICE_BSN, List.of(),
                serviceWiring.getCapabilities(BundleRevision.PACKAGE_NAMESPACE));

        TcpService tcp = tcpService();
        assertEquals(1, tcp.loops().size());
        assertEquals(LOOP_PREFIX + "0", tcp.loops().get(0).name());
        assertEquals("echo", Echo.roundTrip(tcp, serveEcho(tcp), "echo"));

        MetaTypeService metaType = service(MetaTypeService.class);
        MetaTypeInformation info = metaType.getMetaTypeInformation(installed(SERVICE_BSN));
        assertNotNull("metatype information of " + SERVICE_BSN, info);
        assertTrue("PIDs " + Arrays.toString(info.getPids()),
                Arrays.asList(info.getPids()).contains(PID));
        ObjectClassDefinition ocd = info.getObjectClassDefinition(PID, null);
        assertNotNull("object class definition of " + PID, ocd);
        Map<String, AttributeDefinition> attributes = Stream
                .of(ocd.getAttributeDefinitions(ObjectClassDefinition.ALL))
                .collect(Collectors.toMap(AttributeDefinition::getID, a -> a));
        assertEquals(new TreeMap<>(Map.of("loops", "1", "readBufferSize", "262144",
                "threadNamePrefix", LOOP_PREFIX, "maxWriteQueueBytes", "67108864",
                "whiteboardGracePeriodMillis", "5000")),
                defaults(attributes));
        assertEquals(AttributeDefinition.LONG,
                attributes.get("whiteboardGracePeriodMillis").getType());
        assertEquals(AttributeDefinition.INTEGER, attributes.get("loops").getType());
        assertEquals(AttributeDefinition.INTEGER, attributes.get("readBufferSize").getType());
        assertEquals(AttributeDefinition.STRING, attributes.get("threadNamePrefix").getType());
        assertEquals(AttributeDefinition.LONG, attributes.get("maxWriteQueueBytes").getType());
    }

    @Test
    public void consumerBundleGetsItsOwnTcpServiceThroughDsAndEchoes() throws Exception {
        Bundle consumer = installConsumer();
        consumer.start();
        Map<String, Object> report = consumerReport(0);
        assertEquals(EchoConsumer.SELF_TEST_MESSAGE, report.get("selfEcho"));
        int port = (Integer) report.get("port");
        assertEquals("hello over java.net", Sockets.roundTrip(port, "hello over java.net"));

        // Bundle scope: the consumer's handles are its own, not in the probe's instance.
        TcpService mine = tcpService();
        assertEquals(List.of(), mine.handles());
        assertTrue("consumer handles " + report.get("handles"),
                (Integer) consumerReport(0).get("handles") >= 1);
        // Both instances share the loops.
        assertEquals(mine.loops().get(0).name(), LOOP_PREFIX + "0");
    }

    @Test
    public void stoppingConsumerClosesAllItsHandlesFreesItsPortAndEndsItsConnections()
            throws Exception {
        Bundle consumer = installConsumer();
        consumer.start();
        int port = (Integer) consumerReport(0).get("port");
        TcpService mine = tcpService();
        Loop loop = mine.loops().get(0);

        try (Socket client = Sockets.connect(port, WAIT)) {
            Sockets.roundTrip(client, "before stop");
            await("the consumer's server and connection are open",
                    () -> loop.handleCount() >= 2);

            consumer.stop();

            assertEquals("the consumer's connection ends with EOF", -1,
                    client.getInputStream().read());
        }
        await("every handle of the consumer closed", () -> loop.handleCount() == 0);
        // Its port is free: a new server binds and listens on it.
        Tcp server = mine.listen("127.0.0.1", port, 16, connection -> connection.close());
        assertEquals(port, server.localAddress().getPort());
        server.close();

        // Started again, it gets a fresh TcpService and works.
        consumer.start();
        assertEquals(EchoConsumer.SELF_TEST_MESSAGE, consumerReport(0).get("selfEcho"));
    }

    @Test
    public void twentyUpdateAndRefreshRoundsOfServiceAndOfNativeBundleKeepEchoWorking()
            throws Exception {
        Bundle consumer = installConsumer();
        consumer.start();
        long consumerServiceId = consumerReference(0).getProperty(Constants.SERVICE_ID)
                instanceof Long id ? id : -1;

        for (String bsn : List.of(SERVICE_BSN, NATIVE_BSN)) {
            for (int round = 1; round <= ROUNDS; round++) {
                Bundle bundle = installed(bsn);
                long idBefore = bundle.getBundleId();
                bundle.update();
                refresh(bundle);
                assertEquals(bsn + " state after round " + round, Bundle.ACTIVE,
                        installed(bsn).getState());
                assertEquals(bsn + " keeps its id", idBefore, installed(bsn).getBundleId());

                TcpService tcp = tcpService();
                String message = bsn + " round " + round;
                assertEquals(message, Echo.roundTrip(tcp, serveEcho(tcp), message));

                // The consumer bundle was given a new TcpService and re-activated.
                Map<String, Object> report = consumerReport(consumerServiceId);
                assertEquals(EchoConsumer.SELF_TEST_MESSAGE, report.get("selfEcho"));
                assertEquals(message, Sockets.roundTrip((Integer) report.get("port"), message));
                consumerServiceId = (Long) consumerReference(consumerServiceId)
                        .getProperty(Constants.SERVICE_ID);
            }
        }
        assertEquals("loop threads after the rounds", List.of(LOOP_PREFIX + "0"),
                loopThreadNames());
        System.out.println("uvtcp itest: after " + ROUNDS + " update+refresh rounds of each: "
                + installed(SERVICE_BSN).adapt(BundleRevision.class)
                + ", " + installed(NATIVE_BSN).adapt(BundleRevision.class));
    }

    @Test
    public void stoppingAllUvtcpBundlesLeavesNoLoopThreadAndNoFileDescriptor()
            throws Exception {
        // Warm up what the JDK opens once per JVM (networking, class loading), then measure
        // with every uvtcp bundle stopped. The library of the native bundle's current
        // revision stays loaded (with the descriptors libuv keeps per process) while the
        // bundle is resolved; the libraries of replaced revisions must be unloaded.
        warmUp();
        stopUvtcpBundles();
        closeTrackers();
        Map<Integer, String> before = awaitStableDescriptors();

        exerciseEverything();

        stopUvtcpBundles();
        closeTrackers();
        Map<Integer, String> after = awaitDescriptors(before.size());
        System.out.println("uvtcp itest: open descriptors with the uvtcp bundles stopped, before "
                + before.size() + ", after " + after.size() + ": " + after.values());
        assertTrue("open descriptors after stopping the uvtcp bundles: " + after.size()
                + ", before: " + before.size() + "; new: " + difference(after, before)
                + "; gone: " + difference(before, after), after.size() <= before.size());
    }

    private void warmUp() throws Exception {
        TcpService tcp = tcpService();
        assertEquals("warm-up", Echo.roundTrip(tcp, serveEcho(tcp), "warm-up"));
        assertEquals("warm-up", Sockets.roundTrip(serveEcho(tcp), "warm-up"));
    }

    /**
     * Starts the uvtcp bundles, runs a consumer, echoes, updates and refreshes both bundles,
     * leaves handles open, removes the consumer. Kept in its own method so that no local
     * variable of the test keeps an old revision's objects reachable.
     */
    private void exerciseEverything() throws Exception {
        startUvtcpBundles();
        Bundle consumer = installConsumer();
        consumer.start();
        int port = (Integer) consumerReport(0).get("port");
        try (Socket lingering = Sockets.connect(port, WAIT)) {
            assertEquals("left open", Sockets.roundTrip(lingering, "left open"));
            for (String bsn : List.of(SERVICE_BSN, NATIVE_BSN, SERVICE_BSN, NATIVE_BSN)) {
                installed(bsn).update();
                refresh(installed(bsn));
                TcpService fresh = tcpService();
                assertEquals(bsn, Echo.roundTrip(fresh, serveEcho(fresh), bsn));
                Tcp unclosed = fresh.newTcp(java.net.StandardProtocolFamily.INET);
                assertFalse(unclosed.isClosed());
            }
            assertEquals("the consumer's connection ended", -1,
                    lingering.getInputStream().read());
        }
        consumer.uninstall();
        refresh(consumer);
    }

    @Test
    public void configurationUpdateRestartsTheLoopsWithTheNewCount() throws Exception {
        TcpService first = tcpService();
        assertEquals(1, first.loops().size());
        Tcp server = first.listen("127.0.0.1", 0, 16, connection -> connection.close());

        ConfigurationAdmin configAdmin = service(ConfigurationAdmin.class);
        org.osgi.service.cm.Configuration configuration =
                configAdmin.getConfiguration(PID, "?");
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("loops", 2);
        configuration.update(properties);

        await("a TcpService with 2 loops", () -> loopCount(tcpService()) == 2);
        TcpService second = tcpService();
        assertNotSame(first, second);
        assertEquals(List.of(LOOP_PREFIX + "0", LOOP_PREFIX + "1"),
                second.loops().stream().map(Loop::name).collect(Collectors.toList()));
        await("two loop threads", () -> loopThreadNames().size() == 2);
        assertTrue("the old instance's server was closed", server.isClosed());
        assertThrows(HandleClosedException.class, first::newTcp);
        assertEquals("echo", Echo.roundTrip(second, serveEcho(second), "echo"));

        configuration.delete();
        await("back to the default of 1 loop", () -> loopCount(tcpService()) == 1);
        TcpService third = tcpService();
        assertEquals("echo", Echo.roundTrip(third, serveEcho(third), "echo"));
        await("one loop thread", () -> loopThreadNames().size() == 1);
    }

    @Test
    public void aBadConfigurationIsRejectedAndTheRunningLoopsKeepServing() throws Exception {
        List<String> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Logger logger =
                java.util.logging.Logger.getLogger("dev.uvtcp.configuration");
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                logged.add(record.getLevel() + " " + record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(capture);
        ConfigurationAdmin configAdmin = service(ConfigurationAdmin.class);
        org.osgi.service.cm.Configuration configuration =
                configAdmin.getConfiguration(PID, "?");
        try {
            TcpService first = tcpService();
            int port = serveEcho(first);

            Hashtable<String, Object> properties = new Hashtable<>();
            properties.put("loops", -1);
            configuration.update(properties);
            await("the rejection of loops = -1", () -> logged.size() == 1);
            assertTrue(logged.get(0), logged.get(0).startsWith("SEVERE uvtcp: configuration"
                    + " dev.uvtcp REJECTED: loops must be 1..256, was -1. The loops keep"
                    + " running as they are (loops = 1,"));
            assertEquals("still", Echo.roundTrip(first, port, "still"));

            properties.put("loops", "two");
            configuration.update(properties);
            await("the rejection of loops = two", () -> logged.size() == 2);
            assertTrue(logged.get(1), logged.get(1).startsWith("SEVERE uvtcp: configuration"
                    + " dev.uvtcp REJECTED: loops = \"two\": not a valid number ("));
            assertEquals("same server", Echo.roundTrip(first, port, "same server"));
            assertSame(first, tcpService());
            assertEquals(List.of(LOOP_PREFIX + "0"), loopThreadNames());

            // A good value after bad ones applies.
            properties.put("loops", 2);
            configuration.update(properties);
            await("a TcpService with 2 loops", () -> loopCount(tcpService()) == 2);
            TcpService second = tcpService();
            assertEquals("echo", Echo.roundTrip(second, serveEcho(second), "echo"));
            assertTrue(logged.toString(), logged.get(2).startsWith("INFO uvtcp: configuration"
                    + " dev.uvtcp changed (loops = 2,"));
        } finally {
            logger.removeHandler(capture);
            configuration.delete();
        }
    }

    // ---------------------------------------------------------------- helpers

    @After
    public void closeTrackers() {
        for (ServiceTracker<?, ?> tracker : trackers.values()) {
            tracker.close();
        }
        trackers.clear();
    }

    private static BundleContext context() {
        return FrameworkUtil.getBundle(FelixDeploymentTest.class).getBundleContext();
    }

    /** The installed bundle {@code bsn} (also for {@link UpdateCycleSoakTest}). */
    static Bundle installed(String bsn) {
        return Stream.of(context().getBundles())
                .filter(b -> bsn.equals(b.getSymbolicName()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no bundle " + bsn + " installed"));
    }

    private <T> T service(Class<T> type) throws InterruptedException {
        @SuppressWarnings("unchecked")
        ServiceTracker<T, T> tracker = (ServiceTracker<T, T>) trackers.computeIfAbsent(type,
                t -> {
                    ServiceTracker<T, T> opened = new ServiceTracker<>(context(), type, null);
                    opened.open();
                    return opened;
                });
        T service = tracker.waitForService(WAIT_MS);
        assertNotNull("service " + type.getName() + " within " + WAIT_MS + " ms", service);
        return service;
    }

    /** The probe bundle's own TcpService (bundle scope: one instance per bundle). */
    private TcpService tcpService() {
        try {
            return service(TcpService.class);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static int loopCount(TcpService tcp) {
        try {
            return tcp.loops().size();
        } catch (RuntimeException released) {
            return -1;
        }
    }

    private static int serveEcho(TcpService tcp) throws Exception {
        return Echo.serve(tcp).localAddress().getPort();
    }

    private static Bundle installConsumer() throws Exception {
        File jar = new File(System.getProperty("uvtcp.itest.consumer"));
        return context().installBundle(jar.toURI().toString());
    }

    /** The consumer's Supplier service registered after the one with id {@code afterId}. */
    private static ServiceReference<?> consumerReference(long afterId) throws Exception {
        String filter = "(&(objectClass=" + Supplier.class.getName() + ")(uvtcp.itest=consumer)"
                + "(!(service.id<=" + afterId + ")))";
        ServiceReference<?>[] found = new ServiceReference<?>[1];
        await("a consumer service " + filter, () -> {
            try {
                ServiceReference<?>[] refs = context().getServiceReferences((String) null, filter);
                found[0] = refs == null || refs.length == 0 ? null : refs[0];
                return found[0] != null;
            } catch (InvalidSyntaxException e) {
                throw new IllegalArgumentException(filter, e);
            }
        });
        return found[0];
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> consumerReport(long afterId) throws Exception {
        ServiceReference<?> reference = consumerReference(afterId);
        Supplier<Map<String, Object>> supplier =
                (Supplier<Map<String, Object>>) context().getService(reference);
        assertNotNull("consumer service object", supplier);
        try {
            return supplier.get();
        } finally {
            context().ungetService(reference);
        }
    }

    /** FrameworkWiring.refreshBundles, waiting for its PACKAGES_REFRESHED event. */
    static void refresh(Bundle... bundles) throws InterruptedException {
        FrameworkWiring wiring = context().getBundle(Constants.SYSTEM_BUNDLE_LOCATION)
                .adapt(FrameworkWiring.class);
        CountDownLatch done = new CountDownLatch(1);
        FrameworkEvent[] result = new FrameworkEvent[1];
        wiring.refreshBundles(Arrays.asList(bundles), event -> {
            result[0] = event;
            done.countDown();
        });
        assertTrue("refresh within " + WAIT_MS + " ms", done.await(WAIT_MS, TimeUnit.MILLISECONDS));
        assertEquals("refresh event " + result[0], FrameworkEvent.PACKAGES_REFRESHED,
                result[0].getType());
    }

    private static void stopUvtcpBundles() throws Exception {
        for (String bsn : List.of(SERVICE_BSN, NATIVE_BSN, API_BSN)) {
            installed(bsn).stop();
        }
        await("no uvtcp thread alive", () -> uvtcpThreadNames().isEmpty());
    }

    private static void startUvtcpBundles() throws Exception {
        for (String bsn : List.of(API_BSN, NATIVE_BSN, SERVICE_BSN)) {
            installed(bsn).start();
        }
    }

    /** Live threads named with the uvtcp prefix: the loops and any helper thread. */
    private static List<String> uvtcpThreadNames() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> name.startsWith(LOOP_PREFIX))
                .sorted()
                .collect(Collectors.toList());
    }

    /** Live loop threads: the prefix followed by the loop's index. */
    private static List<String> loopThreadNames() {
        return uvtcpThreadNames().stream()
                .filter(name -> name.substring(LOOP_PREFIX.length()).matches("[0-9]+"))
                .collect(Collectors.toList());
    }

    /** Open descriptors of this JVM: number to link target. */
    private static Map<Integer, String> descriptors() {
        return Processes.descriptors(ProcessHandle.current().pid());
    }

    private static Map<Integer, String> awaitStableDescriptors() throws Exception {
        Map<Integer, String> previous = descriptors();
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
            Map<Integer, String> now = descriptors();
            if (now.size() == previous.size()) {
                return now;
            }
            previous = now;
        }
        return previous;
    }

    /** Waits (bounded) until at most {@code count} descriptors are open; returns those open. */
    private static Map<Integer, String> awaitDescriptors(int count) throws Exception {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        Map<Integer, String> now = descriptors();
        while (now.size() > count && System.currentTimeMillis() < deadline) {
            System.gc();
            Thread.sleep(100);
            now = descriptors();
        }
        return now;
    }

    private static List<String> difference(Map<Integer, String> these,
            Map<Integer, String> those) {
        return these.entrySet().stream()
                .filter(e -> !those.containsValue(e.getValue()))
                .map(e -> e.getKey() + " -> " + e.getValue())
                .collect(Collectors.toList());
    }

    private static void await(String what, BooleanSupplier condition) throws Exception {
        Await.until(what, WAIT, condition);
    }

    private static Map<String, String> defaults(Map<String, AttributeDefinition> attributes) {
        Map<String, String> result = new TreeMap<>();
        attributes.forEach((id, definition) -> {
            String[] values = definition.getDefaultValue();
            result.put(id, values == null || values.length == 0 ? null : values[0]);
        });
        return result;
    }
}
