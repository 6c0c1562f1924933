/**
 * The uvtcp launcher's console reports, as a bundle inside the launcher's framework: what a
 * person at the launcher's console must see without knowing where to look.
 *
 * <ul>
 * <li>{@link dev.uvtcp.launcher.console.ConsoleLog}: warnings and errors of the OSGi log
 *     (Declarative Services, FileInstall, Configuration Admin, any bundle), with the bundle
 *     that logged them and the reason;</li>
 * <li>{@link dev.uvtcp.launcher.console.DeployFolderReport}: for each file in the deploy
 *     folder, whether it became a bundle and, if not, why;</li>
 * <li>{@link dev.uvtcp.launcher.console.ServingReport}: what the uvtcp whiteboard really serves
 *     or failed to serve, for the launcher's start-up banner.</li>
 * </ul>
 *
 * <p>A bundle rather than code in the launcher's {@code main}, because these need the OSGi Log
 * Service and the uvtcp runtime API, whose classes live in bundles; the launcher reaches the
 * banner report through a service of a JDK type ({@link java.util.function.Function}), which
 * both class spaces share. Internal: nothing is exported.
 */
package dev.uvtcp.launcher.console;
