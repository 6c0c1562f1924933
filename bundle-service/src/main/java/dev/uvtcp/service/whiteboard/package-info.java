/**
 * Whiteboard servers without a container: the parsing of a handler's
 * {@code uvtcp.server.*} properties and the listener that serves one handler, with its failure
 * reasons. Used by the OSGi whiteboard ({@code dev.uvtcp.service.osgi}) and usable by any other
 * container integration; imports no container API.
 */
package dev.uvtcp.service.whiteboard;
