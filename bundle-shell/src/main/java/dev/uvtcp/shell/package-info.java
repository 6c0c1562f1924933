/**
 * The {@code uvtcp:*} shell commands: a Declarative Services component registered with the
 * {@code osgi.command.scope}/{@code osgi.command.function} properties that Apache Felix Gogo
 * and the Apache Karaf shell both understand. Internal: nothing is exported.
 */
package dev.uvtcp.shell;
