package dev.uvtcp.shell;

import static org.assertj.core.api.Assertions.assertThat;

import dev.uvtcp.runtime.TcpServerRuntime;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;

/**
 * What the commands print when the runtime service is missing: the reason, read from the
 * bundle's state and the Declarative Services DTOs, as SCR reports them.
 */
class DownReasonTest {

    private static final String BUNDLE = "dev.uvtcp.service [13]";
    private static final String LOOPS = "dev.uvtcp.service.osgi.LoopGroupComponent";
    private static final String RUNTIME = "dev.uvtcp.service.osgi.TcpServerRuntimeComponent";

    @Test
    void aMissingServiceBundleIsNamed() {
        assertThat(DownReason.describe(null, 0, true, List.of(), d -> List.of(), d -> true))
                .isEqualTo("the bundle dev.uvtcp.service is not installed");
    }

    @Test
    void aStoppedOrUnresolvedServiceBundleIsNamedWithItsState() {
        assertThat(DownReason.describe(BUNDLE, Bundle.RESOLVED, true, List.of(),
                d -> List.of(), d -> true))
                .isEqualTo("the bundle dev.uvtcp.service [13] is not active (RESOLVED: it is"
                        + " stopped)");
        assertThat(DownReason.describe(BUNDLE, Bundle.INSTALLED, true, List.of(),
                d -> List.of(), d -> true))
                .startsWith("the bundle dev.uvtcp.service [13] is not active (INSTALLED: it"
                        + " does not resolve");
    }

    @Test
    void withoutDeclarativeServicesTheComponentsCannotRun() {
        assertThat(DownReason.describe(BUNDLE, Bundle.ACTIVE, false, List.of(),
                d -> List.of(), d -> true))
                .startsWith("Declarative Services (SCR) is not running");
    }

    @Test
    void aFailedActivationOfTheLoopsGivesTheFirstLineOfTheRecordedFailure() {
        ComponentDescriptionDTO loops = description(LOOPS);
        ComponentDescriptionDTO runtime = description(RUNTIME);
        ComponentConfigurationDTO failed = configuration(loops,
                ComponentConfigurationDTO.FAILED_ACTIVATION);
        failed.failure = "java.lang.UnsatisfiedLinkError: no libuvtcp for linux-riscv64\n"
                + "\tat dev.uvtcp.jni.NativeLibrary.load(NativeLibrary.java:42)\n";
        Map<ComponentDescriptionDTO, Collection<ComponentConfigurationDTO>> configurations =
                Map.of(loops, List.of(failed), runtime, List.of());
        assertThat(DownReason.describe(BUNDLE, Bundle.ACTIVE, true, List.of(loops, runtime),
                configurations::get, d -> true))
                .isEqualTo("component " + LOOPS + " of bundle " + BUNDLE + " failed to"
                        + " activate: java.lang.UnsatisfiedLinkError: no libuvtcp for"
                        + " linux-riscv64");
    }

    @Test
    void anUnsatisfiedReferenceOfTheRuntimeIsNamedWhenTheLoopsAreFine() {
        ComponentDescriptionDTO loops = description(LOOPS);
        ComponentDescriptionDTO runtime = description(RUNTIME);
        ComponentConfigurationDTO waiting = configuration(runtime,
                ComponentConfigurationDTO.UNSATISFIED_REFERENCE);
        UnsatisfiedReferenceDTO reference = new UnsatisfiedReferenceDTO();
        reference.name = "loops";
        waiting.unsatisfiedReferences = new UnsatisfiedReferenceDTO[] {reference};
        Map<ComponentDescriptionDTO, Collection<ComponentConfigurationDTO>> configurations =
                Map.of(loops, List.of(configuration(loops, ComponentConfigurationDTO.ACTIVE)),
                        runtime, List.of(waiting));
        assertThat(DownReason.describe(BUNDLE, Bundle.ACTIVE, true, List.of(loops, runtime),
                configurations::get, d -> true))
                .isEqualTo("component " + RUNTIME + " of bundle " + BUNDLE
                        + " waits for its reference(s) loops");
    }

    @Test
    void aDisabledComponentIsNamed() {
        ComponentDescriptionDTO loops = description(LOOPS);
        assertThat(DownReason.describe(BUNDLE, Bundle.ACTIVE, true,
                List.of(loops, description(RUNTIME)), d -> List.of(), d -> d != loops))
                .isEqualTo("component " + LOOPS + " of bundle " + BUNDLE + " is disabled");
    }

    @Test
    void withoutTheRuntimeTheCommandsPrintTheReasonInsteadOfATable() {
        assertThat(UvtcpCommands.output(null,
                () -> "the bundle dev.uvtcp.service is not installed", UvtcpCommands::servers))
                .isEqualTo("uvtcp is not running: the bundle dev.uvtcp.service is not"
                        + " installed.\n");
    }

    @Test
    void aRuntimeThatFailsWhileReadIsReportedNotThrown() {
        TcpServerRuntime stopping = () -> {
            throw new RejectedExecutionException("loop uvtcp-loop-0 has stopped");
        };
        assertThat(UvtcpCommands.output(stopping,
                () -> "the bundle dev.uvtcp.service [13] is not active (STOPPING)",
                UvtcpCommands::loops))
                .isEqualTo("uvtcp is not running: reading its runtime failed with"
                        + " java.util.concurrent.RejectedExecutionException: loop uvtcp-loop-0"
                        + " has stopped; the bundle dev.uvtcp.service [13] is not active"
                        + " (STOPPING).\n");
    }

    @Test
    void aFailureToTellWhyIsPrintedToo() {
        assertThat(UvtcpCommands.output(null, () -> {
            throw new IllegalStateException("Invalid BundleContext.");
        }, UvtcpCommands::handles)).isEqualTo("uvtcp is not running: why cannot be told"
                + " (java.lang.IllegalStateException: Invalid BundleContext.).\n");
    }

    private static ComponentDescriptionDTO description(String name) {
        ComponentDescriptionDTO description = new ComponentDescriptionDTO();
        description.name = name;
        return description;
    }

    private static ComponentConfigurationDTO configuration(ComponentDescriptionDTO description,
            int state) {
        ComponentConfigurationDTO configuration = new ComponentConfigurationDTO();
        configuration.description = description;
        configuration.state = state;
        configuration.unsatisfiedReferences = new UnsatisfiedReferenceDTO[0];
        return configuration;
    }
}
