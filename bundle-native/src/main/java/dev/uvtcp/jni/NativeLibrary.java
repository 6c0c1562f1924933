package dev.uvtcp.jni;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Loads uvtcp's native library ({@code libuvtcp}) into the JVM, once, on behalf of
 * {@link UvNative}.
 *
 * <p>Where the library comes from, in this order:
 * <ol>
 *   <li>the file named by the system property {@value #PATH_PROPERTY}, if set;
 *   <li>{@code System.loadLibrary("uvtcp")}: inside an OSGi framework this finds the copy the
 *       framework extracted from the bundle's {@code Bundle-NativeCode}; outside it looks in
 *       {@code java.library.path};
 *   <li>otherwise the library for this platform is copied from this jar
 *       ({@code META-INF/native/<os>-<arch>/libuvtcp.so}) into a new private temporary
 *       directory, loaded from there, and deleted right after loading (at exit where the platform keeps it locked).
 * </ol>
 *
 * <p>The platform is {@code <os>-<arch>}: {@code linux}, {@code macos} or {@code windows}
 * from {@code os.name}; {@code x86_64} for an {@code os.arch} of {@code amd64} or
 * {@code x86_64}, {@code aarch64} for {@code aarch64} or {@code arm64}. The jar carries
 * {@code linux-x86_64} and {@code linux-aarch64}; the file name inside a platform's directory
 * is the one {@link System#mapLibraryName} gives on that platform ({@code libuvtcp.so},
 * {@code libuvtcp.dylib}, {@code uvtcp.dll}), so a macOS or Windows library built for uvtcp
 * only has to be put into the jar.
 *
 * <p>The JVM binds a native library to the class loader of the class that loaded it; this
 * class loads it, so the library belongs to this bundle's (or jar's) class loader.
 */
public final class NativeLibrary {

    /** System property naming a {@code libuvtcp} file to load instead of the built-in one. */
    public static final String PATH_PROPERTY = "uvtcp.native.path";

    private static final String LIBRARY_NAME = "uvtcp";
    /**
     * Platforms whose library this class looks for, as {@code <os>-<arch>}: those the jar may
     * carry. Which of them it does carry is found out by looking (the error message for an
     * unsupported platform lists those).
     */
    private static final List<String> KNOWN_PLATFORMS = List.of("linux-x86_64", "linux-aarch64",
            "macos-x86_64", "macos-aarch64", "windows-x86_64", "windows-aarch64");

    /**
     * JNI_OnLoad looks these up with FindClass in this class loader: referencing them here
     * loads them (when this class is initialised) before the library is.
     */
    private static final List<Class<?>> UP_CALL_TYPES =
            List.of(LoopCallbacks.class);

    private static final Object LOCK = new Object();
    private static volatile boolean loaded;

    private NativeLibrary() {
    }

    /**
     * Loads the native library if this class has not loaded it yet. Idempotent and
     * thread-safe: concurrent callers wait for the first one; after a failure the next call
     * tries again.
     *
     * @throws UnsatisfiedLinkError if the library cannot be found or loaded, for example on a
     *     platform uvtcp has no library for; the message names the platform detected and the
     *     platforms whose libraries the jar carries
     */
    public static void load() {
        if (loaded) {
            return;
        }
        synchronized (LOCK) {
            if (loaded) {
                return;
            }
            String path = System.getProperty(PATH_PROPERTY);
            if (path != null && !path.isEmpty()) {
                System.load(Path.of(path).toAbsolutePath().toString());
            } else {
                try {
                    System.loadLibrary(LIBRARY_NAME);
                } catch (UnsatisfiedLinkError notOnLibraryPath) {
                    loadFromJar(notOnLibraryPath);
                }
            }
            loaded = true;
        }
    }

    /**
     * @return this JVM's platform as {@code <os>-<arch>}, e.g. {@code linux-x86_64}
     */
    static String platform() {
        return platform(System.getProperty("os.name", "unknown"),
                System.getProperty("os.arch", "unknown"));
    }

    /**
     * @param osName a value of the system property {@code os.name}
     * @param osArch a value of the system property {@code os.arch}
     * @return the platform they describe as {@code <os>-<arch>}, as named in the jar
     */
    static String platform(String osName, String osArch) {
        return os(osName) + "-" + arch(osArch);
    }

    private static String os(String osName) {
        String name = osName.toLowerCase(Locale.ROOT);
        if (name.startsWith("linux")) {
            return "linux";
        }
        if (name.startsWith("mac") || name.startsWith("darwin")) {
            return "macos";
        }
        if (name.startsWith("windows")) {
            return "windows";
        }
        return name.replaceAll("[^a-z0-9]+", "");
    }

    private static String arch(String osArch) {
        String arch = osArch.toLowerCase(Locale.ROOT);
        switch (arch) {
            case "amd64":
            case "x86_64":
            case "x86-64":
                return "x86_64";
            case "aarch64":
            case "arm64":
                return "aarch64";
            default:
                return arch.replaceAll("[^a-z0-9_]+", "");
        }
    }

    /** The library's file name on that platform: libuvtcp.so, libuvtcp.dylib, uvtcp.dll. */
    private static String fileName(String platform) {
        if (platform.startsWith("macos-")) {
            return "lib" + LIBRARY_NAME + ".dylib";
        }
        if (platform.startsWith("windows-")) {
            return LIBRARY_NAME + ".dll";
        }
        return "lib" + LIBRARY_NAME + ".so";
    }

    /**
     * @param platform as {@link #platform()} names it
     * @return where that platform's library is inside the jar
     */
    static String resourceFor(String platform) {
        return "/META-INF/native/" + platform + "/" + fileName(platform);
    }

    /**
     * @return the platforms whose library this jar (or class path) carries, in the order of
     *     {@link #KNOWN_PLATFORMS}
     */
    static List<String> platformsInJar() {
        List<String> present = new ArrayList<>();
        for (String p : KNOWN_PLATFORMS) {
            if (NativeLibrary.class.getResource(resourceFor(p)) != null) {
                present.add(p);
            }
        }
        return present;
    }

    private static String carried() {
        List<String> platforms = platformsInJar();
        return platforms.isEmpty() ? "none" : String.join(", ", platforms);
    }

    private static void loadFromJar(UnsatisfiedLinkError notOnLibraryPath) {
        String platform = platform();
        InputStream in = KNOWN_PLATFORMS.contains(platform)
                ? NativeLibrary.class.getResourceAsStream(resourceFor(platform))
                : null;
        if (in == null) {
            UnsatisfiedLinkError e = new UnsatisfiedLinkError("uvtcp has no native library for"
                    + " this platform: " + platform + " (os.name=" + System.getProperty("os.name")
                    + ", os.arch=" + System.getProperty("os.arch") + "); this jar carries"
                    + " libraries for: " + carried() + ". Set -D" + PATH_PROPERTY
                    + "=<file> to load a library built for it.");
            e.addSuppressed(notOnLibraryPath);
            throw e;
        }
        Path dir = null;
        Path file = null;
        try (in) {
            dir = createPrivateDirectory();
            // Files are deleted on exit in reverse order of registration: the dir goes last.
            dir.toFile().deleteOnExit();
            String name = fileName(platform);
            file = Files.createTempFile(dir, name.substring(0, name.indexOf('.')) + "-",
                    name.substring(name.indexOf('.')));
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            System.load(file.toAbsolutePath().toString());
            // Once mapped, the file is no longer needed on Linux: removing it now means a JVM
            // that crashes leaves nothing behind. Where that fails, deleteOnExit still runs.
            deleteQuietly(file);
            deleteQuietly(dir);
        } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
            deleteQuietly(file);
            deleteQuietly(dir);
            UnsatisfiedLinkError error = new UnsatisfiedLinkError("uvtcp: cannot load the "
                    + platform + " native library from " + resourceFor(platform) + ": " + e);
            error.initCause(e);
            error.addSuppressed(notOnLibraryPath);
            throw error;
        }
    }

    /**
     * A new directory for the extracted library, with a unique name under
     * {@code java.io.tmpdir}, created atomically with permissions {@code rwx------}: only this
     * process's user can write (or even list) it, so nobody else can replace the library
     * between extraction and loading.
     */
    static Path createPrivateDirectory() throws IOException {
        return Files.createTempDirectory("uvtcp-", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
    }

    private static void deleteQuietly(Path path) {
        if (path != null) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException ignored) {
                // deleteOnExit will try again
            }
        }
    }
}
