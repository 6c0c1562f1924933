package dev.uvtcp.service;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * One {@code write} call held by a {@link WriteQueue}: its bytes as segments of direct memory
 * (addresses into the caller's direct buffers as they are, or into the {@link WriteBlock}s its
 * copies were packed into), what keeps that memory reachable, and the caller's future.
 * Guarded by its queue until it ends.
 */
final class PendingWrite {

    final CompletableFuture<Void> future = new CompletableFuture<>();
    long[] addresses;
    int[] lengths;
    int segments;
    /** The caller's direct buffers, kept reachable until the write ends; or null. */
    ByteBuffer[] direct;
    int directCount;
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
        addresses = new long[n];
        lengths = new int[n];
    }

    /** Adds a segment, merged with the last one when it continues it in memory. */
    void addSegment(long address, int length) {
        int last = segments - 1;
        if (last >= 0 && addresses[last] + lengths[last] == address) {
            lengths[last] += length;
            return;
        }
        if (segments == addresses.length) {
            int grown = segments * 2;
            addresses = Arrays.copyOf(addresses, grown);
            lengths = Arrays.copyOf(lengths, grown);
        }
        addresses[segments] = address;
        lengths[segments] = length;
        segments++;
    }

    /** Keeps one of the caller's direct buffers reachable until the write ends. */
    void holdDirect(ByteBuffer buffer) {
        if (direct == null) {
            direct = new ByteBuffer[2];
        } else if (directCount == direct.length) {
            direct = Arrays.copyOf(direct, directCount * 2);
        }
        direct[directCount++] = buffer;
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
