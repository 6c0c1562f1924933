package dev.uvtcp.launcher.console;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.osgi.service.log.LogLevel;

/** Which log entries reach the console, and how they read. */
class ConsoleLogTest {

    @Test
    void warningsAndErrorsNameTheBundleTheMessageAndTheCausesWithoutStackTrace() {
        Exception reason = new IllegalStateException("activation failed",
                new NumberFormatException("For input string: \"two\""));
        assertThat(ConsoleLog.describe(LogLevel.ERROR, "dev.uvtcp.service [13]",
                "[dev.uvtcp.service.osgi.LoopGroupComponent(3)] The constructor has thrown an"
                        + " exception", reason))
                .isEqualTo("ERROR from dev.uvtcp.service [13]: [dev.uvtcp.service.osgi"
                        + ".LoopGroupComponent(3)] The constructor has thrown an exception:"
                        + " java.lang.IllegalStateException: activation failed; caused by"
                        + " java.lang.NumberFormatException: For input string: \"two\"");
        assertThat(ConsoleLog.describe(LogLevel.WARN, "org.apache.felix.fileinstall [10]",
                "Error while starting bundle: file:/d/broken.jar", null))
                .isEqualTo("WARN from org.apache.felix.fileinstall [10]: Error while starting"
                        + " bundle: file:/d/broken.jar");
    }

    @Test
    void informationAndDebugStayInTheLog() {
        assertThat(ConsoleLog.describe(LogLevel.INFO, "x [1]", "Started bundle", null)).isNull();
        assertThat(ConsoleLog.describe(LogLevel.DEBUG, "x [1]", "detail", null)).isNull();
    }
}
