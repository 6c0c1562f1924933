package dev.uvtcp.jni;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The checks {@link PackagingTest} (on target/classes) and {@link PackagedJarIT} (on the
 * built jar) make of each native library and of {@code Bundle-NativeCode}.
 */
final class LibraryChecks {

    /** The platforms the build puts into every jar, with their ELF machine. */
    static final Map<String, Integer> PLATFORMS = Map.of(
            "linux-x86_64", ElfFile.EM_X86_64,
            "linux-aarch64", ElfFile.EM_AARCH64);

    /** What a library may be linked against: glibc's own objects, nothing else. */
    private static final Set<String> GLIBC_OBJECTS = Set.of("libc.so.6", "libpthread.so.0",
            "libdl.so.2", "libm.so.6", "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1");

    private LibraryChecks() {
    }

    /**
     * @return the newest glibc version the library of {@code platform} may need, from the
     *     system property the build sets ({@code uvtcp.glibc.max.<arch>}, from the pom)
     */
    static String glibcMax(String platform) {
        String property = "uvtcp.glibc.max." + platform.substring("linux-".length());
        String max = System.getProperty(property);
        assertThat(max).as("system property " + property + " (set by the pom)").isNotBlank();
        return max;
    }

    /** Checks one library: its machine, its exports, what it links, its glibc floor. */
    static void checkLibrary(String platform, byte[] content) {
        ElfFile elf = new ElfFile(content);
        assertThat(elf.machine()).as(platform + ": ELF machine").isEqualTo(PLATFORMS.get(platform));
        assertThat(elf.definedDynamicSymbols()).as(platform + ": exported symbols")
                .containsExactlyInAnyOrder("JNI_OnLoad", "JNI_OnUnload");
        assertThat(elf.neededLibraries()).as(platform + ": libraries it needs (libuv is built in)")
                .isNotEmpty()
                .allMatch(GLIBC_OBJECTS::contains)
                .noneMatch(name -> name.contains("uv"));
        String max = glibcMax(platform);
        assertThat(elf.glibcFloor()).as(platform + ": newest glibc version needed, "
                + elf.neededVersions()).isPresent();
        assertThat(ElfFile.compareVersions(elf.glibcFloor().orElseThrow(), max))
                .as(platform + ": glibc floor " + elf.glibcFloor().orElseThrow()
                        + " is not newer than " + max)
                .isLessThanOrEqualTo(0);
    }

    /**
     * Checks Bundle-NativeCode: every clause names a file of the bundle, each of the
     * {@link #PLATFORMS} has a clause with Linux and its processor, and the aarch64 clause
     * names no processor an OSGi framework would take for 32-bit ARM.
     *
     * @param header the header's value
     * @param inBundle whether a path (without a leading slash) is a file of the bundle
     */
    static void checkNativeCode(String header, Predicate<String> inBundle) {
        assertThat(header).as("Bundle-NativeCode").isNotBlank();
        Map<String, List<String>> processorsByPath = new LinkedHashMap<>();
        for (String clause : header.split(",")) {
            List<String> paths = new ArrayList<>();
            List<String> processors = new ArrayList<>();
            List<String> osNames = new ArrayList<>();
            for (String part : clause.split(";")) {
                String p = part.trim();
                if (p.startsWith("processor=")) {
                    processors.add(p.substring("processor=".length()));
                } else if (p.startsWith("osname=")) {
                    osNames.add(p.substring("osname=".length()));
                } else if (!p.isEmpty() && !p.contains("=") && !p.equals("*")) {
                    paths.add(p);
                }
            }
            assertThat(paths).as("paths of clause " + clause).isNotEmpty();
            assertThat(osNames).as("osname of clause " + clause).containsExactly("Linux");
            for (String path : paths) {
                assertThat(inBundle.test(path)).as("Bundle-NativeCode path " + path + " is in the bundle")
                        .isTrue();
                processorsByPath.put(path, processors);
            }
        }
        assertThat(processorsByPath.get("META-INF/native/linux-x86_64/libuvtcp.so"))
                .as("processors of the x86-64 library")
                .contains("x86-64", "amd64", "x86_64");
        assertThat(processorsByPath.get("META-INF/native/linux-aarch64/libuvtcp.so"))
                .as("processors of the aarch64 library (Felix maps arm* to 32-bit arm_le)")
                .containsExactly("aarch64");
        assertThat(processorsByPath).as("libraries named by Bundle-NativeCode")
                .containsOnlyKeys("META-INF/native/linux-x86_64/libuvtcp.so",
                        "META-INF/native/linux-aarch64/libuvtcp.so");
    }
}
