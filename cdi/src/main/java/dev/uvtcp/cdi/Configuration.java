package dev.uvtcp.cdi;

import java.util.Optional;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Configuration values: from MicroProfile Config where the application has it (Payara does),
 * else from the system properties. Any thread.
 */
final class Configuration {

    /** Whether the MicroProfile Config API can be loaded here; decided once. */
    private static final boolean MICROPROFILE = microProfilePresent();

    private Configuration() {
    }

    /**
     * @param key a configuration key
     * @return its value, trimmed; empty when it is not set
     */
    static Optional<String> value(String key) {
        Optional<String> value = Optional.empty();
        if (MICROPROFILE) {
            value = MicroProfile.value(key);
        }
        if (value.isEmpty()) {
            value = Optional.ofNullable(System.getProperty(key));
        }
        return value.map(String::trim);
    }

    private static boolean microProfilePresent() {
        try {
            // Not initialized here: only whether the optional API is on the class path.
            Class.forName("org.eclipse.microprofile.config.ConfigProvider", false,
                    Configuration.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError absent) {
            return false;
        }
    }

    /** Loaded only when the API is present, so that nothing else needs it. */
    private static final class MicroProfile {
        static Optional<String> value(String key) {
            try {
                return ConfigProvider.getConfig(Configuration.class.getClassLoader())
                        .getOptionalValue(key, String.class);
            } catch (IllegalStateException noImplementation) {
                // The API without an implementation (no ConfigProviderResolver): as if absent.
                return Optional.empty();
            }
        }
    }
}
