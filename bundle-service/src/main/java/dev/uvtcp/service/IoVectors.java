package dev.uvtcp.service;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A loop's scratch arrays for one native write of many segments (libuv copies what it is
 * given, so they are reused for the next write). Loop thread only.
 */
final class IoVectors {

    ByteBuffer[] buffers = new ByteBuffer[16];
    int[] positions = new int[16];
    int[] lengths = new int[16];
    int count;

    void add(ByteBuffer buffer, int position, int length) {
        int last = count - 1;
        if (last >= 0 && buffers[last] == buffer && positions[last] + lengths[last] == position) {
            lengths[last] += length; // consecutive writes packed into one block
            return;
        }
        if (count == buffers.length) {
            int grown = count * 2;
            buffers = Arrays.copyOf(buffers, grown);
            positions = Arrays.copyOf(positions, grown);
            lengths = Arrays.copyOf(lengths, grown);
        }
        buffers[count] = buffer;
        positions[count] = position;
        lengths[count] = length;
        count++;
    }

    /** Forgets the buffers, so that the scratch arrays keep no memory reachable. */
    void clear() {
        Arrays.fill(buffers, 0, count, null);
        count = 0;
    }
}
