package dev.uvtcp.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * No native address reaches the public API: no public method or field of the API package
 * ({@code dev.uvtcp}) or of the service's public types hands out a {@code long} that could be
 * one, and nothing is named after an address or pointer except socket addresses.
 */
class PublicApiNoAddressTest {

    /** Public long-valued methods that are known not to be addresses, with what they are. */
    private static final Set<String> LONG_ALLOWED = Set.of(
            "Stream.writeQueueSize", // bytes
            "Stream.maxWriteQueueSize", // bytes
            "Tcp.writeQueueSize", "Tcp.maxWriteQueueSize",
            "Loop.now", // milliseconds
            "ListenOptions.maxWriteQueueBytes", // bytes
            "TcpServiceSettings.maxWriteQueueBytes"); // bytes

    @Test
    void noPublicMethodOrFieldCanCarryANativeAddress() throws Exception {
        List<Class<?>> types = new ArrayList<>(apiTypes());
        types.add(StandaloneTcpService.class);
        types.add(TcpServiceSettings.class);
        assertThat(types.stream().map(Class::getSimpleName))
                .contains("Tcp", "Stream", "Handle", "Loop", "TcpService", "ListenOptions");
        List<String> offending = new ArrayList<>();
        for (Class<?> type : types) {
            if (!Modifier.isPublic(type.getModifiers())) {
                continue;
            }
            for (Method m : type.getMethods()) {
                if (m.getDeclaringClass() == Object.class
                        || m.getDeclaringClass().getPackageName().startsWith("java.")) {
                    continue;
                }
                String name = type.getSimpleName() + "." + m.getName();
                boolean longResult = m.getReturnType() == long.class
                        || m.getReturnType() == Long.class;
                if (longResult && !LONG_ALLOWED.contains(name)) {
                    offending.add(name + " returns " + m.getReturnType());
                }
                for (Class<?> p : m.getParameterTypes()) {
                    if (p.getPackageName().equals("dev.uvtcp.jni")) {
                        offending.add(name + " takes internal " + p.getName());
                    }
                }
                if (m.getReturnType().getPackageName().equals("dev.uvtcp.jni")) {
                    offending.add(name + " returns internal " + m.getReturnType().getName());
                }
                String lower = m.getName().toLowerCase(Locale.ROOT);
                if ((lower.contains("pointer") || lower.contains("native")
                        || (lower.contains("address") && !returnsSocketAddress(m)))) {
                    offending.add(name + " is named like a native address");
                }
            }
            for (Field f : type.getFields()) {
                if ((f.getType() == long.class || f.getType() == Long.class)
                        && !(Modifier.isStatic(f.getModifiers())
                                && Modifier.isFinal(f.getModifiers())
                                && f.getName().startsWith("DEFAULT_"))) {
                    offending.add(type.getSimpleName() + "." + f.getName() + " is a long field");
                }
            }
        }
        assertThat(offending).isEmpty();
    }

    private static boolean returnsSocketAddress(Method m) {
        return java.net.SocketAddress.class.isAssignableFrom(m.getReturnType());
    }

    /** Every class of the API package, found next to {@code dev.uvtcp.Tcp}. */
    private static List<Class<?>> apiTypes() throws Exception {
        Path root = Path.of(dev.uvtcp.Tcp.class.getProtectionDomain().getCodeSource()
                .getLocation().toURI());
        List<String> names;
        if (Files.isDirectory(root)) {
            try (var files = Files.list(root.resolve("dev/uvtcp"))) {
                names = files.map(p -> p.getFileName().toString()).collect(Collectors.toList());
            }
        } else {
            try (var jar = new java.util.jar.JarFile(root.toFile())) {
                names = jar.stream().map(java.util.jar.JarEntry::getName)
                        .filter(n -> n.startsWith("dev/uvtcp/") && n.indexOf('/', 10) < 0)
                        .map(n -> n.substring(10)).collect(Collectors.toList());
            }
        }
        List<Class<?>> types = new ArrayList<>();
        for (String n : names) {
            if (n.endsWith(".class") && !n.contains("$") && !n.equals("package-info.class")) {
                types.add(Class.forName("dev.uvtcp." + n.substring(0, n.length() - 6)));
            }
        }
        return types;
    }
}
