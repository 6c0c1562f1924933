/**
 * The uvtcp service core: loop threads, handle objects, the cross-thread command queue, buffer
 * handling and ownership tracking. {@link dev.uvtcp.service.StandaloneTcpService} starts a
 * {@link dev.uvtcp.TcpService} on a plain classpath.
 */
@Export
@Version("0.1.0")
package dev.uvtcp.service;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
