package dev.uvtcp.service.osgi;

import dev.uvtcp.service.TcpServiceSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Checks a configuration of PID {@value LoopGroupComponent#PID} before it is applied, so that a
 * bad value is rejected with a message naming the property and the value instead of taking
 * the loops down. Every property is checked on its own, so that one message lists every
 * problem.
 *
 * <p>Values come through the component property type {@link UvtcpConfiguration}, whose
 * accessors throw when Declarative Services cannot convert a value (for instance
 * {@code loops = two}); the raw properties are used only to quote what was given.
 *
 * @param settings the settings of the loops to apply, or null if the configuration is rejected
 * @param whiteboardGracePeriodMillis the whiteboard's grace period to apply (not a setting of
 *     the loops: changing it restarts nothing); meaningless if rejected
 * @param problems why it is rejected, one entry per bad property; empty if accepted
 */
record ConfigurationCheck(TcpServiceSettings settings, long whiteboardGracePeriodMillis,
        List<String> problems) {

    ConfigurationCheck {
        problems = List.copyOf(problems);
    }

    /**
     * @param config the configuration as DS hands it to the component
     * @param properties the component properties, to quote the given values; may be empty
     * @return the settings, or every problem found
     */
    static ConfigurationCheck of(UvtcpConfiguration config, Map<String, ?> properties) {
        List<String> problems = new ArrayList<>();
        TcpServiceSettings defaults = TcpServiceSettings.defaults();
        Integer loops = read("loops", config::loops, properties, problems);
        if (loops != null) {
            check(problems, () -> defaults.withLoops(loops));
        }
        Integer readBufferSize = read("readBufferSize", config::readBufferSize, properties,
                problems);
        if (readBufferSize != null) {
            check(problems, () -> defaults.withReadBufferSize(readBufferSize));
        }
        String threadNamePrefix = read("threadNamePrefix", config::threadNamePrefix,
                properties, problems);
        if (threadNamePrefix != null && threadNamePrefix.isBlank()) {
            problems.add("threadNamePrefix must not be blank, was \"" + threadNamePrefix
                    + "\"");
        }
        Long maxWriteQueueBytes = read("maxWriteQueueBytes", config::maxWriteQueueBytes,
                properties, problems);
        if (maxWriteQueueBytes != null) {
            check(problems, () -> defaults.withMaxWriteQueueBytes(maxWriteQueueBytes));
        }
        Long grace = read("whiteboardGracePeriodMillis", config::whiteboardGracePeriodMillis,
                properties, problems);
        if (grace != null && (grace < 0
                || grace > UvtcpConfiguration.MAX_WHITEBOARD_GRACE_PERIOD_MILLIS)) {
            problems.add("whiteboardGracePeriodMillis must be 0.."
                    + UvtcpConfiguration.MAX_WHITEBOARD_GRACE_PERIOD_MILLIS + ", was " + grace);
        }
        if (!problems.isEmpty()) {
            return new ConfigurationCheck(null, 0, problems);
        }
        return new ConfigurationCheck(new TcpServiceSettings(loops, readBufferSize,
                threadNamePrefix, maxWriteQueueBytes), grace, List.of());
    }

    /** @return whether the configuration can be applied */
    boolean accepted() {
        return settings != null;
    }

    /** @return the problems on one line, e.g. {@code loops = -1: loops must be 1..256, was -1} */
    String describeProblems() {
        return String.join("; ", problems);
    }

    /** @return the settings as properties, e.g. {@code loops = 1, readBufferSize = 262144, ...} */
    static String describe(TcpServiceSettings settings) {
        return "loops = " + settings.loops() + ", readBufferSize = " + settings.readBufferSize()
                + ", threadNamePrefix = " + settings.threadNamePrefix()
                + ", maxWriteQueueBytes = " + settings.maxWriteQueueBytes();
    }

    /**
     * Reads one property; a value DS could not convert becomes a problem quoting the value.
     *
     * @return the value, or null if it could not be read
     */
    private static <T> T read(String name, Supplier<T> accessor, Map<String, ?> properties,
            List<String> problems) {
        try {
            T value = accessor.get();
            if (value == null) {
                problems.add(name + " has no value");
            }
            return value;
        } catch (RuntimeException unconvertible) {
            Object given = properties.get(name);
            problems.add(name + " = " + quote(given) + ": not a valid "
                    + (name.equals("threadNamePrefix") ? "text" : "number") + " ("
                    + unconvertible.getMessage() + ")");
            return null;
        }
    }

    private static void check(List<String> problems, Runnable range) {
        try {
            range.run();
        } catch (IllegalArgumentException outOfRange) {
            problems.add(outOfRange.getMessage());
        }
    }

    private static String quote(Object value) {
        if (value instanceof String text) {
            return "\"" + text + "\"";
        }
        return String.valueOf(value);
    }
}
