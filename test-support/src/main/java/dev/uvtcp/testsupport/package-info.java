/**
 * Helpers shared by uvtcp's tests outside the service core: loopback sockets
 * ({@link dev.uvtcp.testsupport.Sockets}), bounded waits ({@link dev.uvtcp.testsupport.Await})
 * child processes ({@link dev.uvtcp.testsupport.ChildProcess},
 * {@link dev.uvtcp.testsupport.Processes}) and folder trees
 * ({@link dev.uvtcp.testsupport.TestFiles}).
 *
 * <p>Every helper only uses {@code java.*}, so the bundle resolves in any OSGi framework: Pax
 * Exam tests install it beside their probe and call it from inside the container. Every wait
 * is bounded in time; every network address is 127.0.0.1. Failures are reported as
 * {@link java.lang.AssertionError}, which JUnit 4 and 5 both show as a test failure.
 */
@Export
@Version("1.0.0")
package dev.uvtcp.testsupport;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
