package dev.uvtcp.itest;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.vmOption;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import org.ops4j.pax.exam.Option;

/**
 * The framework every Pax Exam test of this module starts: the Felix runtime of the parent
 * pom's {@code uvtcp.felix.runtime} (the launcher carries the same list), the three uvtcp
 * bundles, the shared test helpers (a bundle: the test methods run inside the framework and
 * call them there), and what a test adds. Runs in the test driver, not in the framework.
 */
final class ItestBundles {

    private ItestBundles() {
    }

    /**
     * The options of a test class's configuration method.
     *
     * @param more the test's own options (system properties, extra bundles)
     * @return every option, the bundles in install (and start) order
     */
    static Option[] options(Option... more) {
        File dir = new File(requiredProperty("uvtcp.itest.bundles"));
        List<Option> options = new ArrayList<>(List.of(
                cleanCaches(true),
                vmOption("-Xmx256m"),
                frameworkProperty("felix.log.level").value("1")));
        for (String name : requiredProperty("uvtcp.felix.runtime").split(",")) {
            options.add(file(dir, name.strip()));
        }
        for (String name : List.of("uvtcp-test-support.jar", "uvtcp-api.jar",
                "uvtcp-native.jar", "uvtcp-service.jar")) {
            options.add(file(dir, name));
        }
        options.addAll(List.of(more));
        options.add(junitBundles());
        return options.toArray(new Option[0]);
    }

    /** One of the bundles the build copied into the bundle folder. */
    static Option file(String name) {
        return file(new File(requiredProperty("uvtcp.itest.bundles")), name);
    }

    private static Option file(File dir, String name) {
        File file = new File(dir, name);
        if (!file.isFile()) {
            throw new IllegalStateException(file + " is missing: run the build through Maven"
                    + " (mvn verify), which copies the bundles there");
        }
        return bundle(file.toURI().toString());
    }

    static String requiredProperty(String key) {
        String value = System.getProperty(key);
        if (value == null) {
            throw new IllegalStateException("system property " + key + " is not set: run the"
                    + " tests through Maven");
        }
        return value;
    }
}
