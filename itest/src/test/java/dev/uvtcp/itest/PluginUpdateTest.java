package dev.uvtcp.itest;

import static dev.uvtcp.runtime.TcpWhiteboardConstants.UVTCP_SERVER_ADDRESS;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.uvtcp.runtime.FailedServerDTO;
import dev.uvtcp.runtime.RuntimeDTO;
import dev.uvtcp.runtime.ServerDTO;
import dev.uvtcp.runtime.TcpServerRuntime;
import dev.uvtcp.testsupport.Await;
import dev.uvtcp.testsupport.Sockets;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Hashtable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Issue 14: a whiteboard plugin's listener survives the plugin's update. A client opens fresh
 * connections in a tight loop and echoes 32 bytes on each (every byte checked) while the echo
 * plugin bundle is updated 100 times (every tenth update followed by a refresh), or moved 100
 * times between two bundles (one uninstalled, the other installed with the same address). No
 * connection may be refused, and no echo may fail but on a connection the old revision had
 * accepted (its bundle owned it, so it is closed with it): a failed echo must overlap an
 * update, and their number is printed.
 *
 * <p>Everything is bounded: each update waits at most {@value WhiteboardTest#WAIT_MS} ms for
 * an echo served by the new revision, the client stops after {@value #MAX_CONNECTIONS}
 * connections or {@value #CLIENT_MAX_MS} ms, and every socket has connect and read timeouts.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PluginUpdateTest {

    static final long WAIT_MS = 10_000;
    /** How long a condition (an echo, a bundle serving) is awaited. */
    static final Duration AWAIT = Duration.ofMillis(WhiteboardTest.WAIT_MS);
    static final int UPDATES = 100;
    static final long MAX_CONNECTIONS = 2_000_000;
    static final long CLIENT_MAX_MS = 120_000;
    static final int ECHO_BYTES = 32;
    static final String ECHO_PLUGIN_PID = "dev.uvtcp.examples.echo";

    private ServiceTracker<TcpServerRuntime, TcpServerRuntime> runtimeTracker;
    private Configuration configuration;

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return WhiteboardTest.felixWithUvtcp();
    }

    @Before
    public void trackRuntime() throws Exception {
        runtimeTracker = new ServiceTracker<>(context(), TcpServerRuntime.class, null);
        runtimeTracker.open();
        assertNotNull("TcpServerRuntime", runtimeTracker.waitForService(WAIT_MS));
    }

    @After
    public void cleanUp() throws Exception {
        if (configuration != null) {
            configuration.delete();
        }
        runtimeTracker.close();
    }

    @Test
    public void updatingThePluginBundle100TimesRefusesNoConnectionAndFailsNoNewEcho()
            throws Exception {
        int port = configureEchoPluginOnAFreePort();
        Bundle plugin = context().installBundle(echoPluginJar().toURI().toString());
        try {
            plugin.start();
            awaitServing(port, plugin);
            try (Client client = Client.start(port)) {
                client.awaitEchoesAfter(0);
                for (int i = 1; i <= UPDATES; i++) {
                    client.updateStarted();
                    try (InputStream revision = new FileInputStream(echoPluginJar())) {
                        plugin.update(revision);
                    }
                    if (i % 10 == 0) {
                        refresh(plugin);
                    }
                    client.updateFinished();
                    // The new revision serves before the next update stops it.
                    client.awaitEchoesAfter(client.echoed());
                }
                client.finish("update", UPDATES);
            }
        } finally {
            plugin.uninstall();
        }
    }

    @Test
    public void movingTheHandlerBetweenTwoBundles100TimesRefusesNoConnectionAndFailsNoNewEcho()
            throws Exception {
        int port = configureEchoPluginOnAFreePort();
        File original = echoPluginJar();
        File moved = withSymbolicName(original, "dev.uvtcp.itest.movedecho");
        Bundle current = context().installBundle(original.toURI().toString());
        try {
            current.start();
            awaitServing(port, current);
            try (Client client = Client.start(port)) {
                client.awaitEchoesAfter(0);
                for (int i = 1; i <= UPDATES; i++) {
                    File next = i % 2 == 1 ? moved : original;
                    client.updateStarted();
                    current.uninstall();
                    current = context().installBundle(next.toURI().toString());
                    current.start();
                    client.updateFinished();
                    client.awaitEchoesAfter(client.echoed());
                }
                client.finish("move", UPDATES);
                awaitServing(port, current);
            }
        } finally {
            current.uninstall();
        }
    }

    // ---------------------------------------------------------------- the client

    /**
     * One thread opening a fresh connection after the other and echoing {@value #ECHO_BYTES}
     * bytes (different on each connection) on each, counting what becomes of them.
     */
    private static final class Client implements AutoCloseable {
        private final int port;
        private final Thread thread;
        private final CountDownLatch done = new CountDownLatch(1);
        private volatile boolean stop;
        /** Bumped before each update (or move) starts and after it finished. */
        private final AtomicLong updatesStarted = new AtomicLong();
        private final AtomicLong updatesFinished = new AtomicLong();
        private final AtomicLong echoed = new AtomicLong();
        /** Echoed on a connection made while an update was going on. */
        private final AtomicLong echoedDuringAnUpdate = new AtomicLong();
        private final AtomicLong refused = new AtomicLong();
        /** Failed echoes on connections made before an update ended and failed after one began. */
        private final AtomicLong failedAcrossAnUpdate = new AtomicLong();
        private final StringBuffer unexplained = new StringBuffer();
        private final AtomicLong unexplainedCount = new AtomicLong();
        private volatile long elapsedNanos;

        private Client(int port) {
            this.port = port;
            this.thread = new Thread(this::run, "plugin-update-client");
            thread.setDaemon(true);
        }

        static Client start(int port) {
            Client client = new Client(port);
            client.thread.start();
            return client;
        }

        void updateStarted() {
            updatesStarted.incrementAndGet();
        }

        void updateFinished() {
            updatesFinished.incrementAndGet();
        }

        long echoed() {
            return echoed.get();
        }

        void awaitEchoesAfter(long count) throws Exception {
            Await.until("an echo after " + count + " (client: " + this + ")", AWAIT,
                    () -> echoed.get() > count || done.getCount() == 0);
            if (done.getCount() == 0) {
                fail("the client stopped early: " + this);
            }
        }

        private void run() {
            long start = System.nanoTime();
            long deadline = start + TimeUnit.MILLISECONDS.toNanos(CLIENT_MAX_MS);
            byte[] reply = new byte[ECHO_BYTES];
            byte[] payload = new byte[ECHO_BYTES];
            try {
                for (long n = 0; n < MAX_CONNECTIONS && !stop && System.nanoTime() < deadline;
                        n++) {
                    for (int i = 0; i < ECHO_BYTES; i++) {
                        payload[i] = (byte) (n * 31 + i * 7);
                    }
                    long finishedBefore = updatesFinished.get();
                    boolean updating = updatesStarted.get() > finishedBefore;
                    Socket socket = new Socket();
                    try {
                        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                    } catch (ConnectException e) {
                        refused.incrementAndGet();
                        closeQuietly(socket);
                        continue;
                    } catch (IOException e) {
                        note("connect " + n + ": " + e);
                        closeQuietly(socket);
                        continue;
                    }
                    String failure = echo(socket, payload, reply);
                    if (failure == null) {
                        echoed.incrementAndGet();
                        if (updating) {
                            echoedDuringAnUpdate.incrementAndGet();
                        }
                    } else if (updatesStarted.get() > finishedBefore) {
                        // made before an update had finished, failed after one had begun:
                        // the old revision may have accepted it and closed it on its way out
                        failedAcrossAnUpdate.incrementAndGet();
                    } else {
                        note("connection " + n + ": " + failure);
                    }
                }
            } finally {
                elapsedNanos = System.nanoTime() - start;
                done.countDown();
            }
        }

        private static void closeQuietly(Socket socket) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // never connected
            }
        }

        /** @return null if every byte came back, else what went wrong */
        private static String echo(Socket socket, byte[] payload, byte[] reply) {
            try (socket) {
                socket.setSoTimeout((int) WAIT_MS);
                OutputStream out = socket.getOutputStream();
                out.write(payload);
                out.flush();
                InputStream in = socket.getInputStream();
                int got = 0;
                while (got < reply.length) {
                    int n = in.read(reply, got, reply.length - got);
                    if (n < 0) {
                        return "EOF after " + got + " bytes";
                    }
                    got += n;
                }
                for (int i = 0; i < reply.length; i++) {
                    if (reply[i] != payload[i]) {
                        return "byte " + i + " is " + reply[i] + ", not " + payload[i];
                    }
                }
                return null;
            } catch (IOException e) {
                return e.toString();
            }
        }

        private void note(String what) {
            if (unexplainedCount.incrementAndGet() <= 10) {
                unexplained.append(what).append('\n');
            }
        }

        /** Stops the client and checks and prints its figures. */
        void finish(String what, int updates) throws InterruptedException {
            stop = true;
            assertTrue("client stopped", done.await(WAIT_MS, TimeUnit.MILLISECONDS));
            System.out.printf("PluginUpdateTest: %d %ss in %d ms: %d connections echoed (%d of"
                    + " them made during an update), %d refused, %d failed on a connection"
                    + " the old revision had, %d other failures%n", updates, what,
                    elapsedNanos / 1_000_000, echoed.get(), echoedDuringAnUpdate.get(),
                    refused.get(), failedAcrossAnUpdate.get(), unexplainedCount.get());
            assertEquals("refused connections", 0, refused.get());
            assertEquals("failures that no update explains:\n" + unexplained, 0,
                    unexplainedCount.get());
            // One client, one connection at a time: at most one was open per update.
            assertTrue("failed echoes " + failedAcrossAnUpdate + " > " + updates,
                    failedAcrossAnUpdate.get() <= updates);
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join(WAIT_MS);
        }

        @Override
        public String toString() {
            return echoed + " echoed, " + refused + " refused, " + failedAcrossAnUpdate
                    + " failed across an update, " + unexplainedCount + " other failures "
                    + unexplained;
        }
    }

    // ---------------------------------------------------------------- helpers

    private static BundleContext context() {
        return FrameworkUtil.getBundle(PluginUpdateTest.class).getBundleContext();
    }

    private int configureEchoPluginOnAFreePort() throws Exception {
        int port = Sockets.freePort();
        ServiceTracker<ConfigurationAdmin, ConfigurationAdmin> tracker =
                new ServiceTracker<>(context(), ConfigurationAdmin.class, null);
        tracker.open();
        try {
            ConfigurationAdmin configAdmin = tracker.waitForService(WAIT_MS);
            assertNotNull("ConfigurationAdmin", configAdmin);
            configuration = configAdmin.getConfiguration(ECHO_PLUGIN_PID, "?");
            Hashtable<String, Object> properties = new Hashtable<>();
            properties.put(UVTCP_SERVER_ADDRESS, "127.0.0.1:" + port);
            configuration.update(properties);
        } finally {
            tracker.close();
        }
        return port;
    }

    private void awaitServing(int port, Bundle bundle) throws Exception {
        String serving = "bundle " + bundle.getSymbolicName() + " serving 127.0.0.1:" + port;
        Await.until(serving, AWAIT, () -> {
            RuntimeDTO runtime = runtimeTracker.getService().getRuntimeDTO();
            for (ServerDTO server : runtime.servers) {
                if (server.bundleId == bundle.getBundleId()
                        && !(server instanceof FailedServerDTO)
                        && ("127.0.0.1:" + port).equals(server.localAddress)) {
                    return true;
                }
            }
            return false;
        });
    }

    private static void refresh(Bundle bundle) throws Exception {
        CountDownLatch refreshed = new CountDownLatch(1);
        context().getBundle(0).adapt(FrameworkWiring.class).refreshBundles(
                java.util.List.of(bundle), event -> {
                    if (event.getType() == FrameworkEvent.PACKAGES_REFRESHED) {
                        refreshed.countDown();
                    }
                });
        assertTrue("refreshed", refreshed.await(WAIT_MS, TimeUnit.MILLISECONDS));
    }

    private static File echoPluginJar() {
        return new File(System.getProperty("uvtcp.itest.bundles"),
                "uvtcp-example-echo-plugin.jar");
    }

    /** A copy of {@code jar} under another Bundle-SymbolicName: the same plugin, moved. */
    private static File withSymbolicName(File jar, String symbolicName) throws IOException {
        File copy = Files.createTempFile("moved-plugin", ".jar").toFile();
        copy.deleteOnExit();
        try (JarInputStream in = new JarInputStream(new FileInputStream(jar))) {
            Manifest manifest = new Manifest(in.getManifest());
            manifest.getMainAttributes().put(new Attributes.Name("Bundle-SymbolicName"),
                    symbolicName);
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(copy.toPath()),
                    manifest)) {
                for (JarEntry entry = in.getNextJarEntry(); entry != null;
                        entry = in.getNextJarEntry()) {
                    out.putNextEntry(new JarEntry(entry.getName()));
                    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                    in.transferTo(bytes);
                    out.write(bytes.toByteArray());
                    out.closeEntry();
                }
            }
        }
        return copy;
    }
}
