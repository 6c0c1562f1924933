package dev.uvtcp.launcher.console;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * What became of one file in the deploy folder, in a sentence: the bundle it was installed as
 * and its state, or why FileInstall did not install it. FileInstall itself says nothing about
 * files it cannot handle (a corrupt jar, a plain jar, a text file); it installs only jars whose
 * manifest has a {@code Bundle-SymbolicName} and a {@code Bundle-Version}, and configurations
 * ({@code .cfg}, {@code .config}), whose errors it logs.
 *
 * <p>Decided apart from the framework ({@link Installed}) so that it can be tested with plain
 * files.
 */
final class DeployedFile {

    private DeployedFile() {
    }

    /** What the framework knows about an installed bundle. */
    record BundleView(long id, String symbolicName, String version, String location,
            int state, boolean fragment, List<String> missingRequirements) {

        String label() {
            return (fragment ? "fragment " : "bundle ") + id + " " + symbolicName + " "
                    + version;
        }
    }

    /** The installed bundles, as far as this report needs them. */
    interface Installed {

        /** @return the bundle installed from this location, or null */
        BundleView byLocation(String location);

        /** @return a bundle with this name and version, or null */
        BundleView byNameAndVersion(String symbolicName, String version);
    }

    /**
     * @param file a file or folder in the deploy folder
     * @param installed the framework's bundles
     * @return what became of it, or null for configurations (FileInstall logs their errors)
     */
    static String status(Path file, Installed installed) {
        String name = file.getFileName().toString();
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".cfg") || lower.endsWith(".config")) {
            return null;
        }
        // FileInstall's location for a file: File.toURI().normalize(), e.g. file:/x/deploy/a.jar
        BundleView bundle = installed.byLocation(file.toFile().toURI().normalize().toString());
        if (bundle != null) {
            return installedStatus(bundle);
        }
        if (Files.isDirectory(file)) {
            return "a folder, which FileInstall installs only as an exploded bundle"
                    + " (META-INF/MANIFEST.MF with Bundle-SymbolicName and Bundle-Version):"
                    + " not installed";
        }
        Manifest manifest;
        try (JarFile jar = new JarFile(file.toFile())) {
            manifest = jar.getManifest();
        } catch (IOException | SecurityException notAJar) {
            if (lower.endsWith(".jar")) {
                return "not a valid jar (" + notAJar.getMessage() + "): FileInstall ignores"
                        + " it";
            }
            return "neither a bundle (.jar) nor a configuration (.cfg, .config): FileInstall"
                    + " ignores it";
        }
        if (manifest == null) {
            return "a jar without META-INF/MANIFEST.MF, so not an OSGi bundle: FileInstall"
                    + " ignores it";
        }
        Attributes main = manifest.getMainAttributes();
        String symbolicName = main.getValue("Bundle-SymbolicName");
        String version = main.getValue("Bundle-Version");
        if (symbolicName == null) {
            return "a plain jar, not an OSGi bundle (its manifest has no Bundle-SymbolicName):"
                    + " FileInstall ignores it";
        }
        symbolicName = symbolicName.split(";", 2)[0].strip();
        if (version == null) {
            return "its manifest has no Bundle-Version: FileInstall ignores it";
        }
        if (lower.endsWith(".txt") || lower.endsWith(".xml") || lower.endsWith(".properties")) {
            return "FileInstall ignores files named *" + lower.substring(lower.lastIndexOf('.'))
                    + ", even bundles: name it .jar";
        }
        BundleView same = installed.byNameAndVersion(symbolicName, version.strip());
        if (same != null) {
            return "the same bundle (" + symbolicName + " " + version.strip() + ") as "
                    + same.label() + ", installed from " + same.location()
                    + ": FileInstall updates that one instead; " + installedStatus(same);
        }
        return "the bundle " + symbolicName + " " + version.strip() + " is not installed:"
                + " the messages above say why";
    }

    private static String installedStatus(BundleView bundle) {
        switch (bundle.state()) {
            case org.osgi.framework.Bundle.ACTIVE:
                return bundle.label() + " is active";
            case org.osgi.framework.Bundle.STARTING:
                return bundle.label() + " is starting";
            case org.osgi.framework.Bundle.RESOLVED:
                return bundle.fragment() ? bundle.label() + " is resolved (attached to its host)"
                        : bundle.label() + " is resolved but not started: the messages above"
                                + " say why (start " + bundle.id() + " tries again)";
            case org.osgi.framework.Bundle.INSTALLED:
                return bundle.label() + " is installed but cannot resolve: "
                        + (bundle.missingRequirements().isEmpty()
                                ? "a bundle it needs cannot resolve either"
                                : String.join("; ", bundle.missingRequirements()));
            default:
                return bundle.label() + " is being stopped or uninstalled";
        }
    }
}
