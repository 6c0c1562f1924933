package dev.uvtcp.cdi;

import dev.uvtcp.service.TcpServiceSettings;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import java.util.Optional;
import java.util.function.Function;

/**
 * The default {@link TcpServiceSettings} of an application's {@code TcpService}: the defaults,
 * changed by the configuration keys {@code dev.uvtcp.loops}, {@code dev.uvtcp.readBufferSize},
 * {@code dev.uvtcp.threadNamePrefix} and {@code dev.uvtcp.maxWriteQueueBytes} (the properties
 * of the OSGi configuration PID {@code dev.uvtcp}, prefixed with it), read from MicroProfile
 * Config when the server has it, else from the system properties.
 *
 * <p>An application replaces these settings with a producer of its own that wins the
 * resolution: an alternative producer in a bean class that is an alternative with a priority
 * (which enables it for the whole application):
 *
 * <pre>{@code
 * @ApplicationScoped @Alternative @Priority(1)
 * public class UvtcpSettings {
 *     @Produces @Alternative
 *     TcpServiceSettings settings() {
 *         return TcpServiceSettings.defaults().withLoops(2);
 *     }
 * }
 * }</pre>
 */
@Dependent
public class DefaultSettings {

    /** The prefix of the configuration keys: the OSGi configuration PID. */
    public static final String PREFIX = "dev.uvtcp.";

    /**
     * Called when the loops start, on that thread.
     *
     * @return the defaults, with what the configuration sets
     * @throws IllegalArgumentException naming the key, if a configured value is not a number
     *     or out of range
     */
    @Produces
    @Dependent
    public TcpServiceSettings settings() {
        TcpServiceSettings settings = TcpServiceSettings.defaults();
        try {
            settings = settings.withLoops(number("loops", Integer::valueOf)
                    .orElse(settings.loops()));
            settings = settings.withReadBufferSize(number("readBufferSize", Integer::valueOf)
                    .orElse(settings.readBufferSize()));
            settings = settings.withMaxWriteQueueBytes(number("maxWriteQueueBytes", Long::valueOf)
                    .orElse(settings.maxWriteQueueBytes()));
            Optional<String> prefix = Configuration.value(PREFIX + "threadNamePrefix");
            if (prefix.isPresent()) {
                if (prefix.get().isEmpty()) {
                    throw new IllegalArgumentException("threadNamePrefix must not be blank");
                }
                settings = settings.withThreadNamePrefix(prefix.get());
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("uvtcp: configuration " + PREFIX + "*: "
                    + e.getMessage(), e);
        }
        return settings;
    }

    private static <T> Optional<T> number(String property, Function<String, T> parse) {
        Optional<String> text = Configuration.value(PREFIX + property);
        try {
            return text.map(parse);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(property + " must be a number, was \""
                    + text.get() + "\"", e);
        }
    }
}
