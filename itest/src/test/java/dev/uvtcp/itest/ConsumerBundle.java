package dev.uvtcp.itest;

import aQute.bnd.osgi.Builder;
import aQute.bnd.osgi.Jar;
import java.io.File;

/**
 * Builds the consumer bundle (package {@code dev.uvtcp.itest.consumer} of the test classes)
 * with bnd, which turns its DS annotations into a Service-Component header and XML, as a real
 * plugin's build would. Runs in the test driver, never inside the framework.
 */
final class ConsumerBundle {

    static final String SYMBOLIC_NAME = "dev.uvtcp.itest.consumer";

    private ConsumerBundle() {
    }

    /**
     * @param testClasses the compiled test classes
     * @param apiJar the uvtcp API bundle, for the version range of its import
     * @param out where to write the bundle
     * @return out
     */
    static File build(File testClasses, File apiJar, File out) throws Exception {
        try (Builder builder = new Builder()) {
            builder.setProperty("Bundle-SymbolicName", SYMBOLIC_NAME);
            builder.setProperty("Bundle-Version", "1.0.0");
            builder.setProperty("Bundle-Name", "uvtcp itest consumer");
            builder.setProperty("Private-Package", "dev.uvtcp.itest.consumer");
            builder.setProperty("-noextraheaders", "true");
            builder.addClasspath(testClasses);
            builder.addClasspath(apiJar);
            Jar jar = builder.build();
            if (!builder.isOk()) {
                throw new IllegalStateException("bnd could not build the consumer bundle: "
                        + builder.getErrors());
            }
            out.getParentFile().mkdirs();
            jar.write(out);
            jar.close();
        }
        return out;
    }
}
