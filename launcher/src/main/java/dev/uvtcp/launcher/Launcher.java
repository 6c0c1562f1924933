package dev.uvtcp.launcher;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Function;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * {@code java -jar uvtcp-launcher.jar [--deploy DIR] [--no-shell]}: starts an embedded Apache
 * Felix with the bundles this jar carries (Declarative Services, Configuration Admin,
 * Metatype, Log, the Gogo shell, FileInstall, the uvtcp bundles, the launcher's console
 * reports and the echo plugin) and waits until the framework stops: Ctrl-C (or SIGTERM), or
 * {@code stop 0} in the shell.
 *
 * <p>FileInstall watches the deploy folder ({@code ./deploy} unless told otherwise): a bundle
 * copied there is installed and started, removing it uninstalls it; a {@code PID.cfg} file
 * there becomes the configuration {@code PID}. One launcher at a time per deploy folder
 * ({@link DeployFolderLock}). The framework's cache is a fresh temporary folder, deleted on
 * exit ({@link FrameworkCache}), so every start is a clean one.
 *
 * <p>What goes wrong reaches the console: the launcher's own mistakes as one line (a command
 * line mistake with the usage line, exit status 2; anything else exit status 1), and, once the
 * framework runs, the warnings and errors of the OSGi log and the fate of each file in the
 * deploy folder (the {@code dev.uvtcp.launcher.console} bundle). The banner states what the
 * uvtcp whiteboard really serves, or why not.
 *
 * <p>Socket activation: started by a service manager that hands over listening sockets
 * (systemd's {@code LISTEN_PID}/{@code LISTEN_FDS}/{@code LISTEN_FDNAMES}, with {@code java} as
 * the process it starts), the whiteboard serves them: {@code uvtcp.server.address = fd:NAME}
 * in a plugin's configuration, or the socket's own address. The launcher passes nothing on:
 * the bundles read the JVM's environment, and the framework starts no child process.
 */
public final class Launcher {

    static final String USAGE = "usage: java -jar uvtcp-launcher.jar [--deploy DIR] [--no-shell]"
            + " [--help]";

    private static final String BUNDLES = "/bundles/";
    private static final String BUNDLE_LIST = "/dev/uvtcp/launcher/bundles.list";
    /** How long the banner waits for the whiteboard to bind (or fail) what is registered. */
    private static final long BANNER_WAIT_MILLIS = 5_000;
    private static final long STOP_WAIT_MILLIS = 20_000;

    private Launcher() {
    }

    /** A mistake on the command line: printed with the usage line, exit status 2. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** The parsed command line. */
    record Options(Path deploy, boolean shell, boolean help) {

        /**
         * @param args the command line
         * @return the options
         * @throws UsageException for an unknown option or a missing value
         */
        static Options parse(String[] args) throws UsageException {
            Path deploy = Path.of("deploy");
            boolean shell = true;
            boolean help = false;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--deploy" -> {
                        if (i + 1 >= args.length || args[i + 1].isBlank()
                                || args[i + 1].startsWith("--")) {
                            throw new UsageException("--deploy needs a folder");
                        }
                        deploy = Path.of(args[++i]);
                    }
                    case "--no-shell" -> shell = false;
                    case "--help", "-h" -> help = true;
                    default -> throw new UsageException("unknown option: " + args[i]);
                }
            }
            return new Options(deploy, shell, help);
        }
    }

    /**
     * @param args {@code --deploy DIR}, {@code --no-shell}, {@code --help}
     */
    public static void main(String[] args) {
        long started = System.nanoTime();
        Options options;
        try {
            options = Options.parse(args);
        } catch (UsageException e) {
            System.err.println("uvtcp launcher: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.println(USAGE);
            System.exit(0);
            return;
        }
        try {
            run(options, started);
        } catch (LaunchException e) {
            System.err.println("uvtcp launcher: " + e.getMessage());
            System.exit(1);
        }
        System.exit(0);
    }

    /** A reason not to start, said in one line. */
    static final class LaunchException extends Exception {
        private static final long serialVersionUID = 1L;

        LaunchException(String message) {
            super(message);
        }
    }

    private static void run(Options options, long started) throws LaunchException {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            // One line per log record (uvtcp logs through System.Logger, that is JUL here).
            System.setProperty("java.util.logging.SimpleFormatter.format",
                    "%4$s: %5$s%6$s%n");
        }
        Path deploy = options.deploy().toAbsolutePath().normalize();
        try {
            Files.createDirectories(deploy);
        } catch (IOException e) {
            throw new LaunchException("cannot use " + deploy + " as the deploy folder: " + e);
        }
        // Held until the process ends; the operating system releases it even on a crash.
        DeployFolderLock.acquire(deploy);
        FrameworkCache cache = FrameworkCache.create();
        Framework framework;
        try {
            framework = newFramework(deploy, cache);
            framework.init();
        } catch (BundleException | RuntimeException e) {
            cache.delete();
            throw new LaunchException("the OSGi framework cannot start: " + e);
        }
        // From here on the shutdown hook is the one owner of stopping and of the cache: it runs
        // on Ctrl-C and SIGTERM, and on the System.exit that ends main after "stop 0".
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(framework, cache),
                "uvtcp-launcher-shutdown"));
        List<Bundle> bundles;
        try {
            bundles = install(framework.getBundleContext(), options.shell());
            framework.start();
        } catch (BundleException | IOException | RuntimeException e) {
            throw new LaunchException("the OSGi framework cannot start: " + e);
        }
        for (Bundle bundle : bundles) {
            if (bundle.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                try {
                    bundle.start();
                } catch (BundleException | RuntimeException e) {
                    System.err.println("uvtcp launcher: cannot start " + bundle + ": " + e);
                }
            }
        }
        long startMillis = (System.nanoTime() - started) / 1_000_000;
        System.out.print(banner(framework, bundles.size(), startMillis, deploy, options.shell()));
        System.out.flush();
        try {
            framework.waitForStop(0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Framework newFramework(Path deploy, FrameworkCache cache) {
        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, cache.path().toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN,
                Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        config.put("felix.fileinstall.dir", deploy.toString());
        config.put("felix.fileinstall.poll", "1000");
        config.put("felix.fileinstall.noInitialDelay", "true");
        config.put("felix.fileinstall.log.level", "3");
        // Configurations changed in the shell are not written back into deploy/.
        config.put("felix.fileinstall.enableConfigSave", "false");
        // End of input ends the shell, not the framework: stop it with Ctrl-C or "stop 0".
        config.put("gosh.args", "--noshutdown");
        for (String key : System.getProperties().stringPropertyNames()) {
            if (key.startsWith("felix.") || key.startsWith("gosh.")
                    || key.startsWith("org.osgi.framework.")) {
                config.put(key, System.getProperty(key));
            }
        }
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class).iterator().next();
        return factory.newFramework(config);
    }

    /** The start-up banner, with what the whiteboard serves as the console bundle reports it. */
    private static String banner(Framework framework, int bundleCount, long startMillis,
            Path deploy, boolean shell) {
        StringBuilder banner = new StringBuilder();
        banner.append(String.format("uvtcp launcher: Felix %s with %d bundles started in %d"
                + " ms.%n", framework.getVersion(), bundleCount, startMillis));
        banner.append(String.format("  deploy folder: %s (bundles and PID.cfg"
                + " configurations)%n", deploy));
        banner.append(servingLines(framework.getBundleContext()));
        banner.append(String.format("  shell:         uvtcp:servers, uvtcp:handles, uvtcp:loops,"
                + " lb, log 10 warn, help%n"));
        banner.append(String.format("  stop:          Ctrl-C%s%n",
                shell ? " or \"stop 0\"" : ""));
        return banner.toString();
    }

    /**
     * Asks the console bundle's report (a {@code Function<Long, String>} service, a JDK type
     * both sides share) what is served; without it, says that it cannot tell.
     */
    private static String servingLines(BundleContext context) {
        try {
            ServiceReference<?>[] references = context.getServiceReferences(
                    Function.class.getName(), "(uvtcp.launcher.report=servers)");
            for (ServiceReference<?> reference : references == null
                    ? new ServiceReference<?>[0] : references) {
                Object service = context.getService(reference);
                try {
                    if (service instanceof Function<?, ?>) {
                        // Registered as Function<Long, String> by the console bundle.
                        @SuppressWarnings("unchecked")
                        Function<Long, String> report = (Function<Long, String>) service;
                        return report.apply(BANNER_WAIT_MILLIS);
                    }
                } finally {
                    if (service != null) {
                        context.ungetService(reference);
                    }
                }
            }
        } catch (InvalidSyntaxException | RuntimeException e) {
            return String.format("  serving:       unknown (%s); uvtcp:servers tells%n", e);
        }
        return String.format("  serving:       unknown (the launcher's console bundle is not"
                + " running); uvtcp:servers tells%n");
    }

    private static List<Bundle> install(BundleContext context, boolean shell)
            throws IOException, BundleException {
        List<Bundle> installed = new ArrayList<>();
        for (String name : bundleNames()) {
            if (!shell && name.startsWith("org.apache.felix.gogo.shell")) {
                continue;
            }
            try (InputStream in = Launcher.class.getResourceAsStream(BUNDLES + name)) {
                if (in == null) {
                    throw new IOException(BUNDLES + name + " is missing from the launcher jar");
                }
                installed.add(context.installBundle("uvtcp-launcher:" + name, in));
            }
        }
        return installed;
    }

    private static List<String> bundleNames() throws IOException {
        List<String> names = new ArrayList<>();
        InputStream list = Launcher.class.getResourceAsStream(BUNDLE_LIST);
        if (list == null) {
            throw new IOException(BUNDLE_LIST + " is missing from the launcher jar");
        }
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(list, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                line = line.strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                for (String name : line.split(",")) {
                    if (!name.isBlank()) {
                        names.add(name.strip());
                    }
                }
            }
        }
        return names;
    }

    /** Shutdown hook: stops the framework if it runs, then deletes its cache. */
    private static void stop(Framework framework, FrameworkCache cache) {
        try {
            if ((framework.getState() & (Bundle.ACTIVE | Bundle.STARTING)) != 0) {
                framework.stop();
            }
            framework.waitForStop(STOP_WAIT_MILLIS);
        } catch (BundleException | RuntimeException e) {
            System.err.println("uvtcp launcher: stopping the framework: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        cache.delete();
    }
}
