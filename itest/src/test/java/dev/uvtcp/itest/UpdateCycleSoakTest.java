package dev.uvtcp.itest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.vmOption;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Update and refresh, round after round, in one Felix: each round updates and refreshes the
 * service bundle, the native bundle, the shell bundle and the echo plugin (a whiteboard
 * plugin), each followed by an echo through the plugin's port. Every {@code uvtcp.soak.every}
 * rounds (after collections) it records live threads, open descriptors ({@code
 * /proc/self/fd}), resident memory ({@code VmRSS}) and committed heap, loaded classes and
 * metaspace; the figures go to standard output and, with {@code uvtcp.figures}, to that file.
 *
 * <p>{@code uvtcp.soak.rounds} rounds: 20 in the default build, 1,000 with {@code
 * -Psoak-updates} (docs/RELIABILITY.md has the figures and the command). Pass: every echo
 * answers, and at the end no thread is alive that was not at the first sample (after one
 * warm-up round; the JDK's RMI threads of Pax Exam's driver aside), no more descriptors are
 * open, and the loaded classes have not grown by a revision's worth: what a round replaces
 * is unloaded.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class UpdateCycleSoakTest {

    static final long WAIT_MS = 30_000;
    static final String ECHO_PLUGIN_PID = "dev.uvtcp.examples.echo";
    /** Updated in this order in each round. */
    static final List<String> CYCLED = List.of("dev.uvtcp.service", "dev.uvtcp.jni",
            "dev.uvtcp.shell", "dev.uvtcp.examples.echoplugin");

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        File bundles = new File(System.getProperty("uvtcp.itest.bundles"));
        List<Option> options = new ArrayList<>(List.<Option>of(
                cleanCaches(true),
                vmOption("-Xmx256m"),
                frameworkProperty("felix.log.level").value("1"),
                systemProperty("uvtcp.soak.rounds").value(
                        System.getProperty("uvtcp.soak.rounds", "20")),
                systemProperty("uvtcp.soak.every").value(
                        System.getProperty("uvtcp.soak.every", "10")),
                systemProperty("uvtcp.figures").value(
                        System.getProperty("uvtcp.figures", "")),
                systemProperty("uvtcp.itest.bundles").value(bundles.getAbsolutePath())));
        for (String name : List.of("org.osgi.util.function.jar", "org.osgi.util.promise.jar",
                "org.osgi.service.component.jar", "org.apache.felix.scr.jar",
                "org.apache.felix.configadmin.jar", "org.apache.felix.gogo.runtime.jar",
                "uvtcp-api.jar", "uvtcp-native.jar", "uvtcp-service.jar", "uvtcp-shell.jar")) {
            options.add(bundle(new File(bundles, name).toURI().toString()));
        }
        options.add(junitBundles());
        return options.toArray(new Option[0]);
    }

    /** One sample of what a leak would make grow. */
    private record Sample(int round, List<String> threadNames, List<String> descriptorTargets,
            long rssKib, long heapKib, int classes, long metaspaceKib) {

        int threads() {
            return threadNames.size();
        }

        int descriptors() {
            return descriptorTargets.size();
        }

        /**
         * After collections until the descriptors stop going down: a replaced native
         * revision's library (with the pipe libuv keeps per process) is unloaded only once a
         * collection has found its class loader unreachable, and then by the JDK's cleaner
         * thread.
         */
        static Sample take(int round) throws Exception {
            List<String> descriptors = openDescriptors();
            for (int settling = 0; settling < 30; settling++) {
                System.gc();
                Thread.sleep(100);
                List<String> now = openDescriptors();
                if (now.size() >= descriptors.size() && settling >= 2) {
                    descriptors = now;
                    break;
                }
                descriptors = now;
            }
            long metaspace = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getName().equals("Metaspace")) {
                    metaspace = pool.getUsage().getUsed();
                }
            }
            long rss = Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(line -> line.startsWith("VmRSS:"))
                    .mapToLong(line -> Long.parseLong(line.replaceAll("[^0-9]", "")))
                    .findFirst().orElse(-1);
            List<String> threads = Thread.getAllStackTraces().keySet().stream()
                    .filter(Thread::isAlive).map(Thread::getName).sorted().toList();
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
            return new Sample(round, threads, List.copyOf(descriptors), rss, heap / 1024,
                    ManagementFactory.getClassLoadingMXBean().getLoadedClassCount(),
                    metaspace / 1024);
        }

        /** @return the targets of this process's open descriptors */
        static List<String> openDescriptors() throws IOException {
            List<String> descriptors = new ArrayList<>();
            try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
                for (Path fd : (Iterable<Path>) fds::iterator) {
                    try {
                        descriptors.add(Files.readSymbolicLink(fd).toString());
                    } catch (IOException closedMeanwhile) {
                        // the listing's own descriptor
                    }
                }
            }
            return descriptors;
        }

        String line() {
            return String.format("%6d %8d %12d %10d %10d %8d %14d", round, threads(),
                    descriptors(), rssKib, heapKib, classes, metaspaceKib);
        }

        /** @return the descriptor targets this sample has more of than {@code earlier} */
        List<String> newDescriptors(Sample earlier) {
            return more(descriptorTargets, earlier.descriptorTargets());
        }

        /** @return the thread names this sample has more of than {@code earlier} */
        List<String> newThreads(Sample earlier) {
            return more(threadNames, earlier.threadNames());
        }

        private static List<String> more(List<String> these, List<String> earlier) {
            List<String> more = new ArrayList<>(these);
            earlier.forEach(more::remove);
            return more;
        }
    }

    @Test
    public void updateAndRefreshRoundsOfEveryUvtcpBundleAndAPluginKeepTheEchoAndLeakNothing()
            throws Exception {
        int rounds = Integer.getInteger("uvtcp.soak.rounds", 20);
        int every = Math.max(1, Integer.getInteger("uvtcp.soak.every", 10));
        int port = freePort();
        ConfigurationAdmin configAdmin = service(ConfigurationAdmin.class);
        Configuration configuration = configAdmin.getConfiguration(ECHO_PLUGIN_PID, "?");
        Hashtable<String, Object> config = new Hashtable<>();
        config.put("uvtcp.server.address", "127.0.0.1:" + port);
        configuration.update(config);
        // Installed once configured, so that it never binds its default port 7007.
        Bundle plugin = context().installBundle(new File(System.getProperty(
                "uvtcp.itest.bundles"), "uvtcp-example-echo-plugin.jar").toURI().toString());
        try {
            plugin.start();
            assertEquals("start", awaitRoundTrip(port, "start"));
            // Round 0 warms up what the JDK and the framework load once (the first update of
            // each bundle, the first refresh); the samples compare with it.
            round(0, port);
            List<Sample> samples = new ArrayList<>();
            samples.add(Sample.take(0));
            report(String.format("uvtcp soak-updates: %d rounds of update+refresh of %s, an"
                    + " echo after each%n round  threads  descriptors   rss(KiB)  heap(KiB)"
                    + "  classes  metaspace(KiB)%n%s", rounds, CYCLED, samples.get(0).line()));
            long started = System.nanoTime();
            for (int round = 1; round <= rounds; round++) {
                round(round, port);
                if (round % every == 0 || round == rounds) {
                    Sample sample = Sample.take(round);
                    samples.add(sample);
                    report(sample.line());
                }
            }
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
            Sample first = samples.get(0);
            Sample last = samples.get(samples.size() - 1);
            report(String.format("uvtcp soak-updates: %d rounds in %d s; growth per round:"
                    + " threads %+.3f, descriptors %+.3f, rss %+.1f KiB (heap committed %+.1f"
                    + " KiB), classes %+.2f, metaspace %+.1f KiB%n", rounds, seconds,
                    perRound(first.threads(), last.threads(), rounds),
                    perRound(first.descriptors(), last.descriptors(), rounds),
                    perRound(first.rssKib(), last.rssKib(), rounds),
                    perRound(first.heapKib(), last.heapKib(), rounds),
                    perRound(first.classes(), last.classes(), rounds),
                    perRound(first.metaspaceKib(), last.metaspaceKib(), rounds)));
            report("uvtcp soak-updates: threads not there at round 0: "
                    + last.newThreads(first) + "; gone: " + first.newThreads(last));
            // The JDK's RMI transport threads come and go with the calls of Pax Exam's driver
            // into this framework (an idle one lives on for a while): not the bundles'.
            List<String> newThreads = last.newThreads(first).stream()
                    .filter(name -> !name.startsWith("RMI TCP Connection")).toList();
            assertEquals("live threads not there at round 0 (" + first.threads() + " -> "
                    + last.threads() + ")", List.of(), newThreads);
            assertTrue("open descriptors " + first.descriptors() + " -> "
                    + last.descriptors() + ", new: " + last.newDescriptors(first),
                    last.descriptors() <= first.descriptors());
            // Each round makes a new revision of the service bundle, whose jar has 45 classes
            // (the rounds load about 40 of them): kept alive, they would add some 40 classes
            // per round. The JDK's own (lambda forms, accessors) vary by some tens.
            assertTrue("loaded classes " + first.classes() + " -> " + last.classes(),
                    last.classes() - first.classes() < Math.max(100, rounds));
        } finally {
            plugin.uninstall();
            configuration.delete();
        }
    }

    /** Updates and refreshes each bundle of {@link #CYCLED}, with an echo after each. */
    private static void round(int round, int port) throws Exception {
        for (String bsn : CYCLED) {
            Bundle bundle = FelixDeploymentTest.installed(bsn);
            bundle.update();
            FelixDeploymentTest.refresh(bundle);
            String message = bsn + " round " + round;
            assertEquals(message, awaitRoundTrip(port, message));
        }
    }

    private static double perRound(long first, long last, int rounds) {
        return (double) (last - first) / rounds;
    }

    private static void report(String text) throws IOException {
        System.out.println(text.stripTrailing());
        String file = System.getProperty("uvtcp.figures", "");
        if (!file.isEmpty()) {
            Files.writeString(Path.of(file), text.stripTrailing() + System.lineSeparator(),
                    UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static BundleContext context() {
        return FrameworkUtil.getBundle(UpdateCycleSoakTest.class).getBundleContext();
    }

    private static <T> T service(Class<T> type) throws InterruptedException {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (System.currentTimeMillis() < deadline) {
            ServiceReference<T> reference = context().getServiceReference(type);
            T service = reference == null ? null : context().getService(reference);
            if (service != null) {
                return service;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no " + type.getName() + " within " + WAIT_MS + " ms");
    }

    /** Round trips until one answers in full (the whiteboard binds after the refresh). */
    private static String awaitRoundTrip(int port, String message) throws Exception {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        IOException last = null;
        while (System.currentTimeMillis() < deadline) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
                socket.setSoTimeout(5_000);
                byte[] bytes = message.getBytes(UTF_8);
                socket.getOutputStream().write(bytes);
                byte[] back = socket.getInputStream().readNBytes(bytes.length);
                if (back.length == bytes.length) {
                    return new String(back, UTF_8);
                }
            } catch (IOException notYet) {
                last = notYet;
            }
            Thread.sleep(10);
        }
        fail("no echo of \"" + message + "\" on port " + port + " within " + WAIT_MS
                + " ms: " + last);
        return null;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
