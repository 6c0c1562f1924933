package dev.uvtcp.service;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ref.WeakReference;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Run by {@link NativeReloadIT} in a JVM of its own whose class path holds this class and
 * nothing of uvtcp: plays a server that redeploys an application {@code rounds} times. Each
 * round makes a fresh {@link URLClassLoader} (parent: the platform class loader) over the
 * three uvtcp jars, starts {@code StandaloneTcpService} in it through the public API by
 * reflection, listens on 127.0.0.1:0 with an echo handler, echoes 64 KiB through a plain
 * {@link Socket} checking every byte, closes the service and the loader, and keeps only a
 * {@link WeakReference} to the loader (the first round's loader is held until the last round
 * ends). Then it collects garbage (bounded in time) until the
 * loaders are gone and their libraries unmapped.
 *
 * <p>Arguments: {@code rounds apiJar nativeJar serviceJar}. Prints one line per round,
 * {@code ROUND <n> threads=<uvtcp threads left> contextLoaderThreads=<threads whose context
 * class loader is the round's loader> mappedCount=<libraries mapped by the round>
 * mapped=<path as /proc/self/maps shows it>}, then {@code RESULT key=value ...}. Exits with
 * status 0 unless a round failed (an echo that came back wrong throws).
 *
 * <p>Before counting, one warm-up round (also collected) and a temporary file make the JDK open
 * what it opens once per JVM (the random sources behind temporary file names, NIO's pre-close
 * socket), so the descriptor count before and after compares uvtcp alone.
 */
public final class NativeReloadChild {

    private static final int BYTES_PER_ROUND = 64 * 1024;
    private static final int CHUNK = 8 * 1024;
    private static final long COLLECT_SECONDS = 20;
    /** Where the allocation that pushes the collector goes, so it is not optimised away. */
    private static volatile Object allocated;

    private NativeReloadChild() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[0]);
        URL[] jars = new URL[3];
        for (int i = 0; i < 3; i++) {
            jars[i] = Path.of(args[1 + i]).toUri().toURL();
        }
        Set<String> noLibraries = mappedLibraries();
        List<WeakReference<ClassLoader>> warmUp = List.of(new WeakReference<>(round(jars, 0)));
        // The random source of temporary file names, which a library loaded from a file of
        // its own (not extracted) has not needed yet.
        Files.delete(Files.createTempFile("warm-up", ".tmp"));
        long warmUpMillis = collect(warmUp, noLibraries, Long.MAX_VALUE);
        boolean warmUpCollected = isCleared(warmUp);

        long fdsBefore = openDescriptors();
        long tmpBefore = tmpEntries();
        Set<String> mappedBefore = mappedLibraries();
        long started = System.nanoTime();
        List<WeakReference<ClassLoader>> loaders = new ArrayList<>();
        // The first deployment's loader stays until the last round is done, as a second
        // application using uvtcp in the same server would: the file it loaded stays taken.
        ClassLoader first = round(jars, 1);
        loaders.add(new WeakReference<>(first));
        for (int round = 2; round <= rounds; round++) {
            loaders.add(new WeakReference<>(round(jars, round)));
        }
        first = null;
        long roundsMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        long fdsAfterRounds = openDescriptors();
        long mappedAfterRounds = mappedLibraries().size();
        long gcMillis = collect(loaders, mappedBefore, fdsBefore);
        long collected = loaders.stream().filter(ref -> ref.get() == null).count();

        System.out.println("RESULT rounds=" + rounds + " collected=" + collected
                + " bytesChecked=" + (long) rounds * BYTES_PER_ROUND
                + " uvtcpThreads=" + uvtcpThreads().size()
                + " fdsBefore=" + fdsBefore + " fdsAfterRounds=" + fdsAfterRounds
                + " fdsAfter=" + openDescriptors()
                + " tmpBefore=" + tmpBefore + " tmpAfter=" + tmpEntries()
                + " mappedBefore=" + mappedBefore.size()
                + " mappedAfterRounds=" + mappedAfterRounds
                + " mappedAfter=" + mappedLibraries().size()
                + " warmUpCollected=" + warmUpCollected + " warmUpMillis=" + warmUpMillis
                + " roundsMillis=" + roundsMillis + " gcMillis=" + gcMillis);
    }

    /** One deployment: load, serve, echo, close; returns its (closed) loader. */
    private static ClassLoader round(URL[] jars, int round) throws Exception {
        Set<String> mappedBefore = mappedLibraries();
        URLClassLoader loader = new URLClassLoader("uvtcp-reload-" + round, jars,
                ClassLoader.getPlatformClassLoader());
        try {
            serveAndEcho(loader, round);
        } finally {
            loader.close();
        }
        Set<String> mapped = mappedLibraries();
        mapped.removeAll(mappedBefore);
        long contextLoaderThreads = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getContextClassLoader() == loader).count();
        System.out.println("ROUND " + round + " threads=" + uvtcpThreads().size()
                + " contextLoaderThreads=" + contextLoaderThreads
                + " mappedCount=" + mapped.size() + " mapped=" + String.join("|", mapped));
        return loader;
    }

    /**
     * Only public API, called by reflection: {@code StandaloneTcpService.start()},
     * {@code TcpService.listen(host, port, backlog, handler)} with an echo
     * ({@code stream.write(data)} on every read), {@code Tcp.localAddress()}, {@code close()}.
     */
    private static void serveAndEcho(ClassLoader loader, int round) throws Exception {
        Class<?> serviceType = loader.loadClass("dev.uvtcp.service.StandaloneTcpService");
        Class<?> tcpService = loader.loadClass("dev.uvtcp.TcpService");
        Class<?> tcp = loader.loadClass("dev.uvtcp.Tcp");
        Class<?> stream = loader.loadClass("dev.uvtcp.Stream");
        Class<?> readHandler = loader.loadClass("dev.uvtcp.ReadHandler");
        Class<?> connectionHandler = loader.loadClass("dev.uvtcp.ConnectionHandler");
        Method write = stream.getMethod("write", ByteBuffer[].class);
        Method startReading = stream.getMethod("startReading", readHandler);
        Method close = loader.loadClass("dev.uvtcp.Handle").getMethod("close");
        // onEnd and onError close the connection, what their defaults do in effect
        Object echo = handler(loader, readHandler, "onRead",
                a -> write.invoke(a[0], (Object) new ByteBuffer[] {(ByteBuffer) a[1]}),
                a -> close.invoke(a[0]));
        Object onConnection = handler(loader, connectionHandler, "onConnection",
                a -> startReading.invoke(a[0], echo), a -> { });
        Object service = invoke(serviceType.getMethod("start"), null);
        try {
            Object server = invoke(tcpService.getMethod("listen", String.class, int.class,
                    int.class, connectionHandler), service, "127.0.0.1", 0, 16, onConnection);
            InetSocketAddress bound = (InetSocketAddress) invoke(tcp.getMethod("localAddress"),
                    server);
            echoThrough(bound, round);
        } finally {
            invoke(serviceType.getMethod("close"), service);
        }
    }

    /** Sends the round's bytes in chunks, each read back and compared before the next. */
    private static void echoThrough(InetSocketAddress address, int round) throws IOException {
        byte[] sent = new byte[CHUNK];
        byte[] received = new byte[CHUNK];
        try (Socket client = new Socket(InetAddress.getByName("127.0.0.1"), address.getPort())) {
            client.setSoTimeout(10_000);
            OutputStream out = client.getOutputStream();
            InputStream in = client.getInputStream();
            for (int offset = 0; offset < BYTES_PER_ROUND; offset += CHUNK) {
                for (int i = 0; i < CHUNK; i++) {
                    sent[i] = (byte) ((offset + i) * 31 + round);
                }
                out.write(sent);
                int got = 0;
                while (got < CHUNK) {
                    int n = in.read(received, got, CHUNK - got);
                    if (n < 0) {
                        throw new IOException("round " + round + ": the echo ended after "
                                + (offset + got) + " of " + BYTES_PER_ROUND + " bytes");
                    }
                    got += n;
                }
                if (!Arrays.equals(sent, received)) {
                    throw new IOException("round " + round + ": the echo of bytes " + offset
                            + ".." + (offset + CHUNK) + " differs at byte "
                            + (offset + Arrays.mismatch(sent, received)));
                }
            }
            client.shutdownOutput();
            if (in.read() != -1) {
                throw new IOException("round " + round + ": bytes after the echo");
            }
        }
    }

    /**
     * The loader's interface implemented by a proxy: {@code method} runs {@code action}, the
     * interface's default methods {@code otherwise}.
     *
     * <p>Not {@link InvocationHandler#invokeDefault}: on JDK 17.0.15 the first class loader
     * whose proxy calls it stays reachable for good (measured without uvtcp: of 5 loaders whose
     * proxies invoke an empty default method, 1 is never collected; 0 without the call).
     */
    private static Object handler(ClassLoader loader, Class<?> type, String method,
            Action action, Action otherwise) {
        InvocationHandler dispatch = (proxy, m, a) -> {
            if (m.getName().equals(method)) {
                action.run(a);
                return null;
            }
            if (m.isDefault()) {
                otherwise.run(a);
                return null;
            }
            switch (m.getName()) {
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "equals":
                    return proxy == a[0];
                case "toString":
                    return type.getSimpleName() + "@reload";
                default:
                    throw new UnsupportedOperationException(m.toString());
            }
        };
        return Proxy.newProxyInstance(loader, new Class<?>[] {type}, dispatch);
    }

    @FunctionalInterface
    private interface Action {
        void run(Object[] args) throws Exception;
    }

    private static Object invoke(Method method, Object target, Object... args)
            throws Exception {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    /**
     * Collects garbage until every loader is gone, the libraries mapped are those of
     * {@code mapped} again and no more than {@code fds} descriptors are open (the JVM unloads a
     * library in its cleaner thread, after the loader is collected), or
     * {@value #COLLECT_SECONDS} s have passed.
     *
     * @return milliseconds it took
     */
    private static long collect(List<WeakReference<ClassLoader>> loaders, Set<String> mapped,
            long fds) throws InterruptedException, IOException {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(COLLECT_SECONDS);
        while (!(isCleared(loaders) && mappedLibraries().equals(mapped)
                && openDescriptors() <= fds) && System.nanoTime() < deadline) {
            System.gc();
            byte[][] garbage = new byte[256][];
            for (int i = 0; i < garbage.length; i++) {
                garbage[i] = new byte[64 * 1024];
            }
            allocated = garbage;
            // The unloading happens on the JVM's cleaner thread: give it a moment.
            Thread.sleep(20);
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    private static boolean isCleared(List<WeakReference<ClassLoader>> loaders) {
        return loaders.stream().allMatch(ref -> ref.get() == null);
    }

    /** The libuvtcp files mapped into this process, as /proc/self/maps names them. */
    private static Set<String> mappedLibraries() throws IOException {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.filter(line -> line.contains("libuvtcp") && line.indexOf('/') >= 0)
                    .map(line -> line.substring(line.indexOf('/')))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static long openDescriptors() {
        return new File("/proc/self/fd").list().length;
    }

    private static long tmpEntries() throws IOException {
        try (Stream<Path> entries = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return entries.count();
        }
    }

    private static List<String> uvtcpThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("uvtcp-"))
                .map(Thread::getName)
                .collect(Collectors.toList());
    }
}
