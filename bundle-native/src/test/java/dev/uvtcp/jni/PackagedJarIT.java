package dev.uvtcp.jni;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * Opens the jar this module built (run by Failsafe after {@code package}) and checks what
 * a user gets: both platforms' libraries (ELF machine, only JNI_OnLoad/JNI_OnUnload exported,
 * only glibc linked, no shared libuv, glibc floor) and a Bundle-NativeCode whose every clause
 * names a file of the jar.
 */
class PackagedJarIT {

    private static JarFile jar() throws Exception {
        String path = System.getProperty("uvtcp.native.jar");
        assertThat(path).as("system property uvtcp.native.jar (set by the pom)").isNotBlank();
        assertThat(Path.of(path)).isRegularFile();
        return new JarFile(path);
    }

    @Test
    void theJarCarriesExactlyTheLinuxX8664AndAarch64LibrariesEachChecked() throws Exception {
        try (JarFile jar = jar()) {
            List<String> libraries = new ArrayList<>();
            jar.stream().map(JarEntry::getName)
                    .filter(name -> name.startsWith("META-INF/native/") && !name.endsWith("/"))
                    .forEach(libraries::add);
            assertThat(libraries).containsExactlyInAnyOrder(
                    "META-INF/native/linux-x86_64/libuvtcp.so",
                    "META-INF/native/linux-aarch64/libuvtcp.so");
            for (String platform : LibraryChecks.PLATFORMS.keySet()) {
                JarEntry entry = jar.getJarEntry("META-INF/native/" + platform + "/libuvtcp.so");
                byte[] content;
                try (var in = jar.getInputStream(entry)) {
                    content = in.readAllBytes();
                }
                LibraryChecks.checkLibrary(platform, content);
            }
        }
    }

    @Test
    void everyNativeCodeClauseOfTheJarNamesAFileOfTheJar() throws Exception {
        try (JarFile jar = jar()) {
            String header = jar.getManifest().getMainAttributes().getValue("Bundle-NativeCode");
            LibraryChecks.checkNativeCode(header, path -> {
                JarEntry entry = jar.getJarEntry(path);
                return entry != null && !entry.isDirectory() && entry.getSize() > 0;
            });
        }
    }
}
