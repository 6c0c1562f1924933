package dev.uvtcp.service;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * The receiving end of one checked stream: compares every byte it is given with
 * {@link BytePattern} at the running position, and keeps a CRC-32C of what it accepted.
 *
 * <p>On the first difference it stops checking and reports once, through the consumer given
 * at construction: the connection, the stream offset, expected and actual bytes, the write
 * path under test, and whether the actual bytes are found elsewhere in this stream (a shift:
 * bytes lost or repeated) or in another stream of the scenario (bytes of another connection).
 *
 * <p>Threading: {@link #accept} is called by one thread at a time (the reading loop thread, or
 * a thread reading a plain socket); {@link #position()} and {@link #mismatch()} may be read by
 * any thread.
 */
final class StreamChecker {

    /** How many bytes from the first difference on are kept for the report. */
    private static final int EVIDENCE = 32;

    final String connection;
    final String path;
    final long seed;
    private final Consumer<AssertionError> onMismatch;
    /** Other streams of the scenario, searched for the actual bytes when a check fails. */
    private final List<StreamChecker> neighbours;
    private final CRC32C crc = new CRC32C();
    private volatile long position;
    private volatile AssertionError mismatch;
    /** Completed by {@link #end} (EOF, error or the reader's own end). */
    final CompletableFuture<Void> ended = new CompletableFuture<>();

    StreamChecker(String connection, String path, long seed, List<StreamChecker> neighbours,
            Consumer<AssertionError> onMismatch) {
        this.connection = connection;
        this.path = path;
        this.seed = seed;
        this.neighbours = neighbours;
        this.onMismatch = onMismatch;
    }

    /**
     * Checks the bytes between position and limit of {@code data} (the position is left where
     * it was). Returns false, and reports, if one differs; false at once after a difference.
     */
    boolean accept(ByteBuffer data) {
        if (mismatch != null) {
            return false;
        }
        int index = data.position();
        int length = data.remaining();
        long at = position;
        int bad = BytePattern.firstDifference(seed, at, data, index, length);
        if (bad >= 0) {
            byte[] actual = new byte[Math.min(EVIDENCE, length - bad)];
            data.get(index + bad, actual);
            fail(at + bad, actual, length, bad);
            return false;
        }
        crc.update(data);
        data.position(index);
        position = at + length;
        return true;
    }

    /** {@link #accept(ByteBuffer)} for a region of an array. */
    boolean accept(byte[] bytes, int offset, int length) {
        return accept(ByteBuffer.wrap(bytes, offset, length));
    }

    /** Bytes accepted (all matched) so far. */
    long position() {
        return position;
    }

    /** CRC-32C of the bytes accepted so far; only on the reading thread or after the end. */
    long crc() {
        return crc.getValue();
    }

    AssertionError mismatch() {
        return mismatch;
    }

    /** The stream ended (EOF or error); {@code error} null for a clean EOF. */
    void end(Throwable error) {
        if (error == null) {
            ended.complete(null);
        } else {
            ended.completeExceptionally(error);
        }
    }

    private void fail(long offset, byte[] actual, int readLength, int indexInRead) {
        byte[] expected = new byte[actual.length];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = BytePattern.at(seed, offset + i);
        }
        HexFormat hex = HexFormat.of();
        StringBuilder message = new StringBuilder()
                .append("byte mismatch on connection ").append(connection)
                .append(", write path ").append(path)
                .append(": stream offset ").append(offset)
                .append(" is 0x").append(hex.toHexDigits(actual[0]))
                .append(", expected 0x").append(hex.toHexDigits(expected[0]))
                .append(" (byte ").append(indexInRead).append(" of a read of ")
                .append(readLength).append(" bytes)\n  expected ").append(hex.formatHex(expected))
                .append("\n  actual   ").append(hex.formatHex(actual))
                .append("\n  ").append(diagnose(offset, actual));
        AssertionError error = new AssertionError(message.toString());
        mismatch = error;
        onMismatch.accept(error);
    }

    /** Where the actual bytes belong, if anywhere near: the kind of corruption. */
    private String diagnose(long offset, byte[] actual) {
        if (actual.length < 8) {
            return "too few bytes after the difference to say where they come from";
        }
        long window = 16L << 20;
        long own = BytePattern.find(seed, actual, offset - window, offset + 4 * window);
        if (own >= 0) {
            long shift = own - offset;
            return "these bytes are this stream's bytes at offset " + own + " ("
                    + (shift > 0 ? shift + " bytes ahead: the bytes before them lost, overwritten"
                            + " by later ones, or sent out of order"
                            : -shift + " bytes back: repeated, stale, or sent out of order")
                    + ")";
        }
        int searched = 0;
        for (StreamChecker other : neighbours) {
            // Streams still open, and not too many: each search generates 32 MiB.
            if (other == this || other.ended.isDone() || searched++ >= 16) {
                continue;
            }
            long near = other.position;
            long found = BytePattern.find(other.seed, actual, near - window, near + window);
            if (found >= 0) {
                return "these bytes are stream " + other.connection + "'s bytes at offset "
                        + found + " (another connection's data)";
            }
        }
        return "these bytes are not found within 16 MiB before or 64 MiB after in this stream,"
                + " nor near the positions of the scenario's other open streams (garbage)";
    }
}
