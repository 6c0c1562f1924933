package dev.uvtcp.service;

import dev.uvtcp.jni.UvNative;
import java.nio.ByteBuffer;

/**
 * A block of direct memory that the copied bytes of one or more queued writes are packed into,
 * one after the other, so that many small writes do not each hold a buffer of their own.
 * Guarded by its {@link WriteQueue}.
 */
final class WriteBlock {

    final ByteBuffer memory;
    /** Where {@link #memory} starts: what native writes are given. */
    final long address;
    /** Bytes filled from the start. */
    int used;
    /** Writes whose bytes lie in this block and have not ended; freed at 0. */
    int writers;

    WriteBlock(ByteBuffer memory) {
        this.memory = memory;
        this.address = UvNative.bufferAddress(memory);
    }

    int free() {
        return memory.capacity() - used;
    }
}
