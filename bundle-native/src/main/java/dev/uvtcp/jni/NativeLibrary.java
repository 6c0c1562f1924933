package dev.uvtcp.jni;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Loads uvtcp's native library ({@code libuvtcp}) into the JVM, once per class loader of this
 * class, on behalf of {@link UvNative}.
 *
 * <p>Where the library comes from, in this order:
 * <ol>
 *   <li>the file named by the system property {@value #PATH_PROPERTY}, if set;
 *   <li>{@code System.loadLibrary("uvtcp")}: inside an OSGi framework this finds the copy the
 *       framework extracted from the bundle's {@code Bundle-NativeCode}; outside it looks in
 *       {@code java.library.path};
 *   <li>otherwise the library for this platform is copied from this jar
 *       ({@code META-INF/native/<os>-<arch>/libuvtcp.so}).
 * </ol>
 *
 * <p><b>One JVM, many class loaders.</b> The JVM binds a native library to the class loader of
 * the class that loaded it (this one) and refuses to load the same file for a second class
 * loader while the first is alive ("already loaded in another classloader"). That second
 * loader is normal on a plain class path: a web application redeployed in the same server, or
 * any container that gives each deployment a fresh class loader. So every copy this class
 * loads is a file of its own: the jar's library is always copied, and when the file of 1. or
 * 2. is refused because another class loader of this JVM loaded it first, that same file is
 * copied (the one found on {@code java.library.path}; the jar's if it is not found there) so
 * that every class loader runs the same build. A copy goes into a new directory under
 * {@code java.io.tmpdir} that only this user can use ({@code rwx------}), under a unique name
 * ({@code uvtcp-<random>/libuvtcp-<random>.so}), and both are deleted right after loading
 * (where the platform keeps a loaded file locked, at exit instead): any number of loads leave
 * nothing on disk.
 *
 * <p>A library goes away with its class loader: once the loader is garbage collected, the JVM
 * calls the library's {@code JNI_OnUnload} and unmaps it. The library holds no JNI global
 * reference that would keep the loader alive (only one per running loop, deleted when the loop
 * closes), so closing every {@code TcpService} of the application is all it takes.
 *
 * <p>The platform is {@code <os>-<arch>}: {@code linux}, {@code macos} or {@code windows}
 * from {@code os.name}; {@code x86_64} for an {@code os.arch} of {@code amd64} or
 * {@code x86_64}, {@code aarch64} for {@code aarch64} or {@code arm64}. The jar carries
 * {@code linux-x86_64} and {@code linux-aarch64}; the file name inside a platform's directory
 * is the one {@link System#mapLibraryName} gives on that platform ({@code libuvtcp.so},
 * {@code libuvtcp.dylib}, {@code uvtcp.dll}), so a macOS or Windows library built for uvtcp
 * only has to be put into the jar.
 *
 * <p>Threading: {@link #load()} may be called from any thread.
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
     * tries again. A class loader other than the one that loaded the library first in this JVM
     * gets a private copy of its own (see the class description).
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
                loadGivenFile(Path.of(path).toAbsolutePath());
            } else {
                loadFromLibraryPathOrJar();
            }
            loaded = true;
        }
    }

    /** The file of {@value #PATH_PROPERTY}; a copy of it if another class loader has it. */
    private static void loadGivenFile(Path file) {
        try {
            System.load(file.toString());
        } catch (UnsatisfiedLinkError e) {
            if (!isLoadedByAnotherClassLoader(e)) {
                throw e;
            }
            loadCopyOf(file, e);
        }
    }

    /**
     * {@code System.loadLibrary}; a copy of the file it found if another class loader has it,
     * the jar's library if it found none.
     */
    private static void loadFromLibraryPathOrJar() {
        try {
            System.loadLibrary(LIBRARY_NAME);
        } catch (UnsatisfiedLinkError e) {
            Path refused = isLoadedByAnotherClassLoader(e)
                    ? findOnLibraryPath(System.getProperty("java.library.path", ""),
                            System.mapLibraryName(LIBRARY_NAME))
                    : null;
            if (refused != null) {
                loadCopyOf(refused, e);
            } else {
                loadFromJar(e);
            }
        }
    }

    /**
     * Whether the JVM refused a library because a class loader other than this class's loaded
     * that file already. The JDK says so only in the message, the same since JDK 1.2.
     */
    static boolean isLoadedByAnotherClassLoader(UnsatisfiedLinkError e) {
        String message = e.getMessage();
        return message != null && message.contains("already loaded in another classloader");
    }

    /**
     * @param libraryPath a value of {@code java.library.path}
     * @param fileName the library's file name on this platform
     * @return the first file of that name in a directory of {@code libraryPath}, as
     *     {@code System.loadLibrary} looks for it outside OSGi; null if there is none
     */
    static Path findOnLibraryPath(String libraryPath, String fileName) {
        for (String directory : libraryPath.split(File.pathSeparator)) {
            if (directory.isEmpty()) {
                continue;
            }
            try {
                Path candidate = Path.of(directory, fileName);
                if (Files.isRegularFile(candidate)) {
                    return candidate.toAbsolutePath();
                }
            } catch (InvalidPathException notAPath) {
                // the JVM cannot have loaded anything from there either
            }
        }
        return null;
    }

    private static void loadCopyOf(Path file, UnsatisfiedLinkError refused) {
        try (InputStream in = Files.newInputStream(file)) {
            loadPrivateCopy(in, fileName(platform()), NativeLibrary::systemLoad);
        } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
            UnsatisfiedLinkError error = new UnsatisfiedLinkError("uvtcp: " + file + " is loaded"
                    + " by another class loader of this JVM, and a private copy of it could not"
                    + " be loaded: " + e);
            error.initCause(e);
            error.addSuppressed(refused);
            throw error;
        }
    }

    /** {@code System.load} binds the library to its caller's class loader: this class's. */
    private static void systemLoad(Path file) {
        System.load(file.toAbsolutePath().toString());
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
        try (in) {
            loadPrivateCopy(in, fileName(platform), NativeLibrary::systemLoad);
        } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
            UnsatisfiedLinkError error = new UnsatisfiedLinkError("uvtcp: cannot load the "
                    + platform + " native library from " + resourceFor(platform) + ": " + e);
            error.initCause(e);
            error.addSuppressed(notOnLibraryPath);
            throw error;
        }
    }

    /**
     * Writes a library into a new private directory ({@link #createPrivateDirectory()}) under
     * a unique name, hands that file to {@code load}, and then deletes the file and the
     * directory, also when {@code load} fails.
     *
     * <p>Why delete at once: a mapped library no longer needs its file on Linux and macOS, so a
     * JVM that crashes leaves nothing behind. Only where the deletion fails (Windows keeps a
     * loaded DLL locked) are the two registered for deletion at exit; registering every copy
     * would grow the JDK's exit list by two names per load, forever, in a server that
     * redeploys.
     *
     * @param in the library's bytes; not closed here
     * @param fileName the library's file name on this platform, e.g. {@code libuvtcp.so}: the
     *     copy is named {@code libuvtcp-<random>.so}
     * @param load loads the copy (in production {@code System.load})
     * @throws IOException if the directory or the copy cannot be written
     */
    static void loadPrivateCopy(InputStream in, String fileName, Consumer<Path> load)
            throws IOException {
        int dot = fileName.indexOf('.');
        String prefix = (dot < 0 ? fileName : fileName.substring(0, dot)) + "-";
        String suffix = dot < 0 ? "" : fileName.substring(dot);
        Path dir = createPrivateDirectory();
        Path file = null;
        try {
            file = Files.createTempFile(dir, prefix, suffix);
            // Into the file createTempFile made (rw-------): Files.copy with REPLACE_EXISTING
            // would make a new one with the umask's permissions.
            try (OutputStream out = Files.newOutputStream(file)) {
                in.transferTo(out);
            }
            load.accept(file);
        } finally {
            if (file != null && !deleteQuietly(file)) {
                // At exit, in reverse order of registration: the file first, then its directory.
                dir.toFile().deleteOnExit();
                file.toFile().deleteOnExit();
            } else if (!deleteQuietly(dir)) {
                dir.toFile().deleteOnExit();
            }
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

    /** @return whether the file is gone */
    private static boolean deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
