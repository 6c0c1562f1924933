package dev.uvtcp.service;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * One {@code write} call held by a {@link WriteQueue}: its bytes as segments of direct memory
 * (the caller's direct buffers as they are, copies in {@link WriteBlock}s for the rest), the
 * memory it holds, and the caller's future. Guarded by its queue until it ends.
 */
final class PendingWrite {

    final CompletableFuture<Void> future = new CompletableFuture<>();
    ByteBuffer[] buffers;
    int[] positions;
    int[] lengths;
    int segments;
    /** The blocks this write's copied bytes lie in, each once. */
    WriteBlock[] blocks;
    int blockCount;
    /** Bytes of the caller's own direct buffers this write keeps reachable. */
    long directBytes;
    /** Bytes to send. */
    long payload;
    /** Loop thread: the id of the native write this one went out with. */
    int writeId;
    /** The next write in its queue (not submitted, or in flight). */
    PendingWrite next;

    PendingWrite(int expectedSegments) {
        int n = Math.max(1, expectedSegments);
        buffers = new ByteBuffer[n];
        positions = new int[n];
        lengths = new int[n];
    }

    /** Adds a segment, merged with the last one when it continues it in the same memory. */
    void addSegment(ByteBuffer buffer, int position, int length) {
        int last = segments - 1;
        if (last >= 0 && buffers[last] == buffer
                && positions[last] + lengths[last] == position) {
            lengths[last] += length;
            return;
        }
        if (segments == buffers.length) {
            int grown = segments * 2;
            buffers = Arrays.copyOf(buffers, grown);
            positions = Arrays.copyOf(positions, grown);
            lengths = Arrays.copyOf(lengths, grown);
        }
        buffers[segments] = buffer;
        positions[segments] = position;
        lengths[segments] = length;
        segments++;
    }

    /** Records that some of this write's bytes lie in {@code block}. */
    void useBlock(WriteBlock block) {
        if (blockCount > 0 && blocks[blockCount - 1] == block) {
            return;
        }
        if (blocks == null) {
            blocks = new WriteBlock[2];
        } else if (blockCount == blocks.length) {
            blocks = Arrays.copyOf(blocks, blockCount * 2);
        }
        blocks[blockCount++] = block;
        block.writers++;
    }
}
