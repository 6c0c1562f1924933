package example.consumer.felix;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * Starts Apache Felix with every bundle of a folder, until its standard input ends; then stops
 * the framework and exits with status 0 if it stopped within 30 seconds.
 */
public final class FelixRun {

    private FelixRun() {
    }

    /**
     * Runs the framework.
     *
     * @param args the folder of bundles, and the framework's storage folder
     * @throws Exception if the framework or a bundle fails to start
     */
    public static void main(String[] args) throws Exception {
        Path bundles = Path.of(args[0]);
        Framework framework = ServiceLoader.load(FrameworkFactory.class).iterator().next()
                .newFramework(Map.of(
                        "org.osgi.framework.storage", args[1],
                        "org.osgi.framework.storage.clean", "onFirstInit"));
        framework.start();
        List<Bundle> installed = new ArrayList<>();
        for (Path jar : jars(bundles)) {
            installed.add(framework.getBundleContext().installBundle(jar.toUri().toString()));
        }
        for (Bundle bundle : installed) {
            if (bundle.getHeaders().get("Fragment-Host") == null) {
                start(bundle);
            }
        }
        System.out.println("felix: running " + installed.size() + " bundles");
        System.in.transferTo(OutputStream.nullOutputStream());
        framework.stop();
        boolean stopped = framework.waitForStop(30_000).getType() == FrameworkEvent.STOPPED;
        System.out.println("felix: stopped");
        System.exit(stopped ? 0 : 1);
    }

    private static void start(Bundle bundle) throws BundleException {
        bundle.start();
        System.out.println("felix: started " + bundle.getSymbolicName() + " "
                + bundle.getVersion());
    }

    private static List<Path> jars(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.toString().endsWith(".jar")).sorted().toList();
        }
    }
}
