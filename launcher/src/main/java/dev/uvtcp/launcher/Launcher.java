package dev.uvtcp.launcher;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * {@code java -jar uvtcp-launcher.jar [--deploy DIR] [--no-shell]}: starts an embedded Apache
 * Felix with the bundles this jar carries (Declarative Services, Configuration Admin,
 * Metatype, Log, the Gogo shell, FileInstall, the uvtcp bundles and the echo plugin) and
 * waits until the framework stops: Ctrl-C, or {@code stop 0} in the shell.
 *
 * <p>FileInstall watches the deploy folder ({@code ./deploy} unless told otherwise): a bundle
 * copied there is installed and started, removing it uninstalls it; a {@code PID.cfg} file
 * there becomes the configuration {@code PID}. The framework's cache is a fresh temporary
 * folder, deleted on exit, so every start is a clean one.
 */
public final class Launcher {

    private static final String BUNDLES = "/bundles/";
    private static final String BUNDLE_LIST = "/dev/uvtcp/launcher/bundles.list";

    private Launcher() {
    }

    /**
     * @param args {@code --deploy DIR}, {@code --no-shell}, {@code --help}
     * @throws Exception if the framework cannot start
     */
    public static void main(String[] args) throws Exception {
        long started = System.nanoTime();
        Path deploy = Path.of("deploy");
        boolean shell = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--deploy" -> deploy = Path.of(args[++i]);
                case "--no-shell" -> shell = false;
                default -> {
                    System.out.println("usage: java -jar uvtcp-launcher.jar [--deploy DIR]"
                            + " [--no-shell]");
                    System.exit(args[i].equals("--help") ? 0 : 2);
                }
            }
        }
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            // One line per log record (DS components here log through System.Logger/JUL).
            System.setProperty("java.util.logging.SimpleFormatter.format",
                    "%4$s: %5$s%6$s%n");
        }
        deploy = deploy.toAbsolutePath().normalize();
        Files.createDirectories(deploy);
        Path cache = Files.createTempDirectory("uvtcp-felix-");

        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, cache.toString());
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
        Framework framework = factory.newFramework(config);
        framework.init();
        List<Bundle> bundles = install(framework.getBundleContext(), shell);
        framework.start();
        for (Bundle bundle : bundles) {
            if (bundle.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                try {
                    bundle.start();
                } catch (BundleException e) {
                    System.err.println("uvtcp launcher: cannot start " + bundle + ": " + e);
                }
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(framework, cache),
                "uvtcp-launcher-shutdown"));
        System.out.printf("uvtcp launcher: Felix %s with %d bundles started in %d ms.%n"
                + "  deploy folder: %s (bundles and PID.cfg configurations)%n"
                + "  echo plugin:   nc 127.0.0.1 7007%n"
                + "  shell:         uvtcp:servers, uvtcp:handles, uvtcp:loops, lb, help%n"
                + "  stop:          Ctrl-C%s%n",
                framework.getVersion(), bundles.size(),
                (System.nanoTime() - started) / 1_000_000, deploy,
                shell ? " or \"stop 0\"" : "");
        framework.waitForStop(0);
        deleteQuietly(cache);
        System.exit(0);
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
        try (InputStream in = Launcher.class.getResourceAsStream(BUNDLE_LIST);
                BufferedReader reader = new BufferedReader(
                        new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                line = line.strip();
                if (!line.isEmpty() && !line.startsWith("#")) {
                    names.add(line);
                }
            }
        }
        return names;
    }

    private static void stop(Framework framework, Path cache) {
        try {
            if ((framework.getState() & (Bundle.ACTIVE | Bundle.STARTING)) != 0) {
                framework.stop();
                framework.waitForStop(20_000);
            }
        } catch (BundleException | InterruptedException e) {
            System.err.println("uvtcp launcher: stopping the framework: " + e);
        }
        deleteQuietly(cache);
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException ignored) {
                    // best effort: it is a temporary folder
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
