package dev.uvtcp.service;

/**
 * What the runtime introspection ({@code uvtcp:handles}) shows of a stream at one instant, taken
 * on its loop thread.
 *
 * @param bytesRead bytes read so far
 * @param bytesWritten bytes of writes that completed so far
 * @param listening whether it listens for connections
 * @param reading whether a read handler is set
 */
record StreamState(long bytesRead, long bytesWritten, boolean listening, boolean reading) {
}
