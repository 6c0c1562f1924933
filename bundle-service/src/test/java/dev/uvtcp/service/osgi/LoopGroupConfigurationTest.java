package dev.uvtcp.service.osgi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.uvtcp.service.TcpServiceSettings;
import dev.uvtcp.service.TestSupport;
import java.lang.annotation.Annotation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.ComponentException;
import org.osgi.service.component.ComponentInstance;

/**
 * A bad configuration of PID {@code dev.uvtcp} is rejected with a message naming the property
 * and its value, and the loops keep running; a good one that changes the settings restarts the
 * component through DS (disable, then enable, from another thread than DS's); one that changes
 * nothing restarts nothing. The
 * component is driven as DS drives it, with the configuration as DS converts it (a value it
 * cannot convert throws from its accessor, as Felix SCR's does).
 */
class LoopGroupConfigurationTest {

    private final List<String> logged = Collections.synchronizedList(new ArrayList<>());
    private final Logger configurationLogger = Logger.getLogger("dev.uvtcp.configuration");
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record.getLevel() + " " + record.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureLog() {
        configurationLogger.addHandler(capture);
    }

    @AfterEach
    void releaseLog() {
        configurationLogger.removeHandler(capture);
    }

    @Test
    void outOfRangeAndUnconvertibleValuesAreRejectedNamingPropertyAndValue() {
        ConfigurationCheck negative = ConfigurationCheck.of(config(Map.of("loops", -1)),
                Map.of("loops", -1));
        assertThat(negative.accepted()).isFalse();
        assertThat(negative.describeProblems()).isEqualTo("loops must be 1..256, was -1");

        ConfigurationCheck word = ConfigurationCheck.of(config(Map.of("loops", "two")),
                Map.of("loops", "two"));
        assertThat(word.accepted()).isFalse();
        assertThat(word.describeProblems()).startsWith("loops = \"two\": not a valid number (");

        ConfigurationCheck several = ConfigurationCheck.of(
                config(Map.of("readBufferSize", 10, "maxWriteQueueBytes", 0L)),
                Map.of("readBufferSize", 10, "maxWriteQueueBytes", 0L));
        assertThat(several.problems()).containsExactly(
                "readBufferSize must be 1024..16777216, was 10",
                "maxWriteQueueBytes must be >= 1, was 0");

        ConfigurationCheck blank = ConfigurationCheck.of(
                config(Map.of("threadNamePrefix", " ")), Map.of("threadNamePrefix", " "));
        assertThat(blank.describeProblems())
                .isEqualTo("threadNamePrefix must not be blank, was \" \"");
    }

    @Test
    void theWhiteboardGracePeriodIsCheckedButIsNoSettingOfTheLoops() {
        ConfigurationCheck defaults = ConfigurationCheck.of(config(Map.of()), Map.of());
        assertThat(defaults.whiteboardGracePeriodMillis()).isEqualTo(5000);

        ConfigurationCheck off = ConfigurationCheck.of(
                config(Map.of("whiteboardGracePeriodMillis", 0L)), Map.of());
        assertThat(off.accepted()).isTrue();
        assertThat(off.whiteboardGracePeriodMillis()).isZero();
        // Changing it alone leaves the loops' settings as they are: nothing restarts.
        assertThat(off.settings()).isEqualTo(defaults.settings());

        ConfigurationCheck negative = ConfigurationCheck.of(
                config(Map.of("whiteboardGracePeriodMillis", -1L)), Map.of());
        assertThat(negative.accepted()).isFalse();
        assertThat(negative.describeProblems())
                .isEqualTo("whiteboardGracePeriodMillis must be 0..600000, was -1");
        ConfigurationCheck tooLong = ConfigurationCheck.of(
                config(Map.of("whiteboardGracePeriodMillis", 600_001L)), Map.of());
        assertThat(tooLong.accepted()).isFalse();
    }

    @Test
    void aGoodConfigurationGivesItsSettings() {
        ConfigurationCheck check = ConfigurationCheck.of(
                config(Map.of("loops", 3, "threadNamePrefix", "x-")), Map.of());
        assertThat(check.accepted()).isTrue();
        assertThat(check.settings()).isEqualTo(TcpServiceSettings.defaults().withLoops(3)
                .withThreadNamePrefix("x-"));
    }

    @Test
    void aBadUpdateKeepsTheRunningLoopsAndSaysWhyLoudly() throws Exception {
        String prefix = TestSupport.uniquePrefix("config");
        RecordingContext context = new RecordingContext();
        LoopGroupComponent component = new LoopGroupComponent(
                config(Map.of("threadNamePrefix", prefix)), Map.of(), context);
        try {
            assertThat(TestSupport.threadsNamed(prefix)).containsExactly(prefix + "0");

            component.modified(config(Map.of("loops", -1, "threadNamePrefix", prefix)),
                    Map.of("loops", -1));
            component.modified(config(Map.of("loops", "two", "threadNamePrefix", prefix)),
                    Map.of("loops", "two"));

            assertThat(context.calls).isEmpty();
            assertThat(component.settings().loops()).isEqualTo(1);
            assertThat(TestSupport.threadsNamed(prefix)).containsExactly(prefix + "0");
            // isAlive is answered by the loop thread (a stopped loop refuses it): an answer
            // proves the loop still turns
            assertThat(component.group().loops()).singleElement()
                    .satisfies(loop -> assertThatCode(loop::isAlive).doesNotThrowAnyException());
            assertThat(logged).hasSize(2);
            assertThat(logged.get(0)).startsWith("SEVERE uvtcp: configuration dev.uvtcp"
                    + " REJECTED: loops must be 1..256, was -1. The loops keep running as they"
                    + " are (loops = 1, ");
            assertThat(logged.get(1)).startsWith("SEVERE uvtcp: configuration dev.uvtcp"
                    + " REJECTED: loops = \"two\": not a valid number");
        } finally {
            component.deactivate();
        }
        assertThat(TestSupport.threadsNamed(prefix)).isEmpty();
    }

    @Test
    void aGoodChangeRestartsThroughDsAndAnUnchangedOneDoesNothing() throws Exception {
        String prefix = TestSupport.uniquePrefix("config");
        RecordingContext context = new RecordingContext();
        LoopGroupComponent component = new LoopGroupComponent(
                config(Map.of("threadNamePrefix", prefix)), Map.of(), context);
        try {
            // FileInstall adds its own property: the settings stay the same.
            component.modified(config(Map.of("threadNamePrefix", prefix)),
                    Map.of("felix.fileinstall.filename", "file:/deploy/dev.uvtcp.cfg"));
            assertThat(context.calls).isEmpty();

            component.modified(config(Map.of("loops", 2, "threadNamePrefix", prefix)),
                    Map.of("loops", 2));
            assertThat(TestSupport.eventually(() -> context.calls.size() == 2)).isTrue();
            assertThat(context.calls).containsExactly("disable " + LoopGroupComponent.NAME,
                    "enable " + LoopGroupComponent.NAME);
            assertThat(logged).singleElement().asString()
                    .startsWith("INFO uvtcp: configuration dev.uvtcp changed (loops = 2, ");
        } finally {
            component.deactivate();
        }
    }

    @Test
    void aBadConfigurationAtActivationStartsTheLastAcceptedSettingsOrTheDefaults()
            throws Exception {
        String prefix = TestSupport.uniquePrefix("config");
        LoopGroupComponent good = new LoopGroupComponent(
                config(Map.of("loops", 2, "threadNamePrefix", prefix)), Map.of(),
                new RecordingContext());
        good.deactivate();

        LoopGroupComponent afterBad = new LoopGroupComponent(
                config(Map.of("loops", 0)), Map.of("loops", 0), new RecordingContext());
        try {
            assertThat(afterBad.settings()).isEqualTo(good.settings());
            assertThat(TestSupport.threadsNamed(prefix))
                    .containsExactly(prefix + "0", prefix + "1");
            assertThat(logged).singleElement().asString().startsWith(
                    "SEVERE uvtcp: configuration dev.uvtcp REJECTED: loops must be 1..256, was"
                            + " 0. The loops start with the last accepted settings (loops = 2,");
        } finally {
            afterBad.deactivate();
        }
    }

    /**
     * The configuration as DS hands it over: given values, the defaults for the others, and
     * an exception from the accessor of a value that is not of the property's type.
     */
    private static UvtcpConfiguration config(Map<String, Object> given) {
        Map<String, Object> values = new HashMap<>(given);
        return new UvtcpConfiguration() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return UvtcpConfiguration.class;
            }

            @Override
            public int loops() {
                return number("loops", TcpServiceSettings.DEFAULT_LOOPS).intValue();
            }

            @Override
            public int readBufferSize() {
                return number("readBufferSize", TcpServiceSettings.DEFAULT_READ_BUFFER_SIZE)
                        .intValue();
            }

            @Override
            public String threadNamePrefix() {
                return String.valueOf(values.getOrDefault("threadNamePrefix",
                        TcpServiceSettings.DEFAULT_THREAD_NAME_PREFIX));
            }

            @Override
            public long maxWriteQueueBytes() {
                return number("maxWriteQueueBytes",
                        TcpServiceSettings.DEFAULT_MAX_WRITE_QUEUE_BYTES).longValue();
            }

            @Override
            public long whiteboardGracePeriodMillis() {
                return number("whiteboardGracePeriodMillis",
                        UvtcpConfiguration.DEFAULT_WHITEBOARD_GRACE_PERIOD_MILLIS).longValue();
            }

            private Number number(String name, Number fallback) {
                Object value = values.getOrDefault(name, fallback);
                if (value instanceof Number number) {
                    return number;
                }
                try {
                    return Long.parseLong(value.toString());
                } catch (NumberFormatException e) {
                    throw new ComponentException(e);
                }
            }
        };
    }

    /** Records the enable and disable calls; nothing else is used by the component. */
    private static final class RecordingContext implements ComponentContext {
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void enableComponent(String name) {
            calls.add("enable " + name);
        }

        @Override
        public void disableComponent(String name) {
            calls.add("disable " + name);
        }

        @Override
        public Dictionary<String, Object> getProperties() {
            return new Hashtable<>();
        }

        @Override
        public <S> S locateService(String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public <S> S locateService(String name, ServiceReference<S> reference) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Object[] locateServices(String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public BundleContext getBundleContext() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Bundle getUsingBundle() {
            return null;
        }

        @Override
        public <S> ComponentInstance<S> getComponentInstance() {
            throw new UnsupportedOperationException();
        }

        @Override
        public ServiceReference<?> getServiceReference() {
            return null;
        }
    }
}
