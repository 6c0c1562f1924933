package dev.uvtcp.launcher.console;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.wiring.BundleRequirement;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * Watches the deploy folder that FileInstall watches (framework property {@value #DIR}) and
 * prints, for each file that has settled, what became of it ({@link DeployedFile}): the bundle
 * it became and its state, or why it is not installed. A file's line is printed again only
 * when that changes (the file is replaced, its bundle starts or stops resolving).
 *
 * <p>A file counts as settled once its size and time stamp have not changed for
 * {@link #SETTLE_NANOS} (FileInstall polls every second, and a copy may still be under way);
 * a status is printed once two scans in a row agree (a refresh passes through short-lived
 * states). Threading: one daemon thread, {@code uvtcp-launcher-deploy-report}, scanning every
 * second until deactivation.
 */
@Component(immediate = true)
public final class DeployFolderReport {

    static final String DIR = "felix.fileinstall.dir";
    static final long SETTLE_NANOS = TimeUnit.SECONDS.toNanos(3);
    private static final long SCAN_MILLIS = 1000;
    private static final Pattern PACKAGE_FILTER =
            Pattern.compile("\\(osgi\\.wiring\\.package=([^)]+)\\)");

    private final BundleContext context;
    private final Path folder;
    private final Console console = new Console(System.out, System::nanoTime);
    private final Thread thread;
    private volatile boolean running = true;

    /** Per file: worker thread only. */
    private final Map<Path, Tracked> tracked = new HashMap<>();

    /** A file's last stamp, since when it is unchanged, and what was printed about it. */
    private static final class Tracked {
        String stamp;
        long unchangedSince;
        String candidate;
        String printed;
    }

    /**
     * Starts watching the deploy folder, if FileInstall has one.
     *
     * @param context to read the framework property and the installed bundles
     */
    @Activate
    public DeployFolderReport(BundleContext context) {
        this.context = context;
        String dir = context.getProperty(DIR);
        this.folder = dir == null ? null : Path.of(dir);
        if (folder == null) {
            thread = null;
            return;
        }
        thread = new Thread(this::run, "uvtcp-launcher-deploy-report");
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops watching and waits for the thread (a second at most). */
    @Deactivate
    void deactivate() throws InterruptedException {
        running = false;
        if (thread != null) {
            thread.interrupt();
            thread.join(TimeUnit.SECONDS.toMillis(1));
        }
    }

    private void run() {
        while (running) {
            try {
                scan();
                Thread.sleep(SCAN_MILLIS);
            } catch (InterruptedException stop) {
                return;
            } catch (RuntimeException e) {
                // The framework may be stopping under us (IllegalStateException): end quietly.
                if (!running || isStopping()) {
                    return;
                }
                console.print("deploy folder report: " + e);
            }
        }
    }

    private void scan() {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> list = Files.list(folder)) {
            list.filter(p -> !p.getFileName().toString().startsWith(".")).sorted()
                    .forEach(files::add);
        } catch (IOException folderGone) {
            tracked.clear();
            return;
        }
        tracked.keySet().retainAll(files);
        long now = System.nanoTime();
        DeployedFile.Installed installed = installed();
        for (Path file : files) {
            Tracked state = tracked.computeIfAbsent(file, f -> new Tracked());
            String stamp = stamp(file);
            if (!stamp.equals(state.stamp)) {
                state.stamp = stamp;
                state.unchangedSince = now;
                state.candidate = null;
                continue;
            }
            if (now - state.unchangedSince < SETTLE_NANOS) {
                continue;
            }
            String status = DeployedFile.status(file, installed);
            if (status == null || status.equals(state.printed)) {
                state.candidate = null;
                continue;
            }
            if (status.equals(state.candidate)) {
                state.printed = status;
                console.print(folder.getFileName() + "/" + file.getFileName() + ": " + status);
            } else {
                state.candidate = status;
            }
        }
    }

    private static String stamp(Path file) {
        try {
            return Files.size(file) + "@" + Files.getLastModifiedTime(file).toMillis();
        } catch (IOException gone) {
            return "gone";
        }
    }

    private boolean isStopping() {
        try {
            return context.getBundle(0).getState() != Bundle.ACTIVE;
        } catch (IllegalStateException invalid) {
            return true;
        }
    }

    /** The framework's bundles as {@link DeployedFile} sees them, read now. */
    private DeployedFile.Installed installed() {
        Bundle[] bundles = context.getBundles();
        return new DeployedFile.Installed() {
            @Override
            public DeployedFile.BundleView byLocation(String location) {
                for (Bundle bundle : bundles) {
                    if (location.equals(bundle.getLocation())) {
                        return view(bundle);
                    }
                }
                return null;
            }

            @Override
            public DeployedFile.BundleView byNameAndVersion(String symbolicName,
                    String version) {
                for (Bundle bundle : bundles) {
                    if (symbolicName.equals(bundle.getSymbolicName())
                            && version.equals(bundle.getVersion().toString())) {
                        return view(bundle);
                    }
                }
                return null;
            }
        };
    }

    private DeployedFile.BundleView view(Bundle bundle) {
        BundleRevision revision = bundle.adapt(BundleRevision.class);
        boolean fragment = revision != null
                && (revision.getTypes() & BundleRevision.TYPE_FRAGMENT) != 0;
        List<String> missing = bundle.getState() == Bundle.INSTALLED && revision != null
                ? missingRequirements(revision) : List.of();
        return new DeployedFile.BundleView(bundle.getBundleId(),
                String.valueOf(bundle.getSymbolicName()), bundle.getVersion().toString(),
                bundle.getLocation(), bundle.getState(), fragment, missing);
    }

    /**
     * The mandatory requirements of an unresolved bundle that no installed bundle offers a
     * capability for, asked of the framework ({@link FrameworkWiring#findProviders}).
     */
    private List<String> missingRequirements(BundleRevision revision) {
        FrameworkWiring wiring = context.getBundle(0).adapt(FrameworkWiring.class);
        List<String> missing = new ArrayList<>();
        for (BundleRequirement requirement : revision.getDeclaredRequirements(null)) {
            Map<String, String> directives = requirement.getDirectives();
            String effective = directives.get(Constants.EFFECTIVE_DIRECTIVE);
            if (Constants.RESOLUTION_OPTIONAL.equals(
                    directives.get(Constants.RESOLUTION_DIRECTIVE))
                    || (effective != null && !Constants.EFFECTIVE_RESOLVE.equals(effective))) {
                continue;
            }
            if (wiring.findProviders(requirement).isEmpty()) {
                missing.add(describe(requirement.getNamespace(),
                        directives.get(Constants.FILTER_DIRECTIVE)));
            }
        }
        return missing;
    }

    static String describe(String namespace, String filter) {
        if (BundleRevision.PACKAGE_NAMESPACE.equals(namespace) && filter != null) {
            Matcher name = PACKAGE_FILTER.matcher(filter);
            if (name.find()) {
                String only = "(" + BundleRevision.PACKAGE_NAMESPACE + "=" + name.group(1) + ")";
                return "it imports the package " + name.group(1)
                        + (filter.equals(only) ? "" : " " + filter)
                        + ", which no installed bundle exports";
            }
        }
        return "it requires " + namespace + " " + filter + ", which no installed bundle"
                + " provides";
    }
}
