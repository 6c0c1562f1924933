package dev.uvtcp.shell;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;

/**
 * Why the uvtcp runtime service is missing, in one sentence for a person at a shell: the
 * service bundle is not there or not active, or one of its components is disabled, waits for
 * something or failed to activate (with the exception Declarative Services recorded).
 *
 * <p>Only standard APIs are read: the framework's bundles and the Declarative Services runtime
 * ({@link ServiceComponentRuntime}), so the same text comes out in Felix and in Karaf.
 */
final class DownReason {

    /** The uvtcp service bundle's symbolic name. */
    static final String SERVICE_BSN = "dev.uvtcp.service";

    /** The components the runtime service needs, the root of the chain first. */
    static final List<String> COMPONENTS = List.of("dev.uvtcp.service.osgi.LoopGroupComponent",
            "dev.uvtcp.service.osgi.TcpServerRuntimeComponent");

    private DownReason() {
    }

    /**
     * @param context to find the service bundle
     * @param scr the Declarative Services runtime, or null if none is registered
     * @return why the runtime service is missing, without a final period
     */
    static String of(BundleContext context, ServiceComponentRuntime scr) {
        Bundle service = null;
        for (Bundle bundle : context.getBundles()) {
            if (SERVICE_BSN.equals(bundle.getSymbolicName())
                    && (service == null || bundle.getState() == Bundle.ACTIVE)) {
                service = bundle;
            }
        }
        if (service == null) {
            return describe(null, 0, scr != null, List.of(), d -> List.of(), d -> true);
        }
        Collection<ComponentDescriptionDTO> descriptions = List.of();
        if (scr != null && service.getState() == Bundle.ACTIVE) {
            descriptions = scr.getComponentDescriptionDTOs(service);
        }
        return describe(SERVICE_BSN + " [" + service.getBundleId() + "]", service.getState(),
                scr != null, descriptions,
                d -> scr.getComponentConfigurationDTOs(d), d -> scr.isComponentEnabled(d));
    }

    /**
     * The decision, apart from the framework so that it can be tested with plain DTOs.
     *
     * @param bundle the service bundle as {@code bsn [id]}, or null if it is not installed
     * @param bundleState its {@link Bundle#getState()}
     * @param scrRunning whether a Declarative Services runtime is registered
     * @param descriptions the service bundle's component descriptions
     * @param configurations each description's configurations
     * @param enabled whether a description is enabled
     * @return why the runtime service is missing
     */
    static String describe(String bundle, int bundleState, boolean scrRunning,
            Collection<ComponentDescriptionDTO> descriptions,
            Function<ComponentDescriptionDTO, Collection<ComponentConfigurationDTO>>
                    configurations,
            Predicate<ComponentDescriptionDTO> enabled) {
        if (bundle == null) {
            return "the bundle " + SERVICE_BSN + " is not installed";
        }
        if (bundleState != Bundle.ACTIVE) {
            return "the bundle " + bundle + " is not active (" + state(bundleState) + ")";
        }
        if (!scrRunning) {
            return "Declarative Services (SCR) is not running, so the components of " + bundle
                    + " are not either";
        }
        for (String name : COMPONENTS) {
            ComponentDescriptionDTO description = descriptions.stream()
                    .filter(d -> name.equals(d.name)).findFirst().orElse(null);
            if (description == null) {
                return "the bundle " + bundle + " has no component " + name;
            }
            String problem = problem(description, configurations.apply(description),
                    enabled.test(description));
            if (problem != null) {
                return "component " + name + " of bundle " + bundle + " " + problem;
            }
        }
        return "the TcpServerRuntime service of bundle " + bundle + " is not registered,"
                + " although its components look fine (it may be restarting: try again)";
    }

    private static String problem(ComponentDescriptionDTO description,
            Collection<ComponentConfigurationDTO> configurations, boolean enabled) {
        if (!enabled) {
            return "is disabled";
        }
        if (configurations.isEmpty()) {
            return "has no configuration (it is being restarted, or waits for one)";
        }
        for (ComponentConfigurationDTO configuration : configurations) {
            switch (configuration.state) {
                case ComponentConfigurationDTO.FAILED_ACTIVATION:
                    return "failed to activate: " + firstLine(configuration.failure);
                case ComponentConfigurationDTO.UNSATISFIED_REFERENCE:
                    List<String> missing = new ArrayList<>();
                    for (UnsatisfiedReferenceDTO reference
                            : configuration.unsatisfiedReferences) {
                        missing.add(reference.name);
                    }
                    return "waits for its reference(s) " + String.join(", ", missing);
                case ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION:
                    return "waits for its configuration";
                default:
                    break;
            }
        }
        return null;
    }

    private static String firstLine(String text) {
        if (text == null || text.isBlank()) {
            return "no reason recorded";
        }
        return text.strip().lines().findFirst().orElse("");
    }

    private static String state(int state) {
        switch (state) {
            case Bundle.INSTALLED:
                return "INSTALLED: it does not resolve, a package or capability it needs is"
                        + " missing";
            case Bundle.RESOLVED:
                return "RESOLVED: it is stopped";
            case Bundle.STARTING:
                return "STARTING";
            case Bundle.STOPPING:
                return "STOPPING";
            case Bundle.UNINSTALLED:
                return "UNINSTALLED";
            default:
                return "state " + state;
        }
    }
}
