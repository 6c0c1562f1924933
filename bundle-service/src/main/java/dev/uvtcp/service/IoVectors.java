package dev.uvtcp.service;

import dev.uvtcp.jni.UvNative;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A loop's scratch array for one native write of many buffers, laid out as the native layer
 * reads it (address and length of each, {@link UvNative#IOV_BYTES} bytes per buffer). libuv
 * copies what it is given, so the array is reused for the next write. Loop thread only.
 */
final class IoVectors {

    private ByteBuffer entries;
    /** Where {@link #entries} starts in memory: what native writes are given. */
    private long address;
    private int capacity;
    private int count;

    IoVectors() {
        grow(16);
    }

    /**
     * Adds a buffer. (Adjacent pieces of one write are merged before they get here, by
     * {@link PendingWrite#addSegment}.)
     */
    void add(long bufferAddress, int length) {
        if (count == capacity) {
            grow(capacity * 2);
        }
        int at = count * UvNative.IOV_BYTES;
        entries.putLong(at, bufferAddress);
        entries.putLong(at + 8, length);
        count++;
    }

    int count() {
        return count;
    }

    long address() {
        return address;
    }

    void clear() {
        count = 0;
    }

    private void grow(int newCapacity) {
        ByteBuffer grown = ByteBuffer.allocateDirect(newCapacity * UvNative.IOV_BYTES)
                .order(ByteOrder.nativeOrder());
        if (entries != null) {
            grown.put(0, entries, 0, count * UvNative.IOV_BYTES);
        }
        entries = grown;
        address = UvNative.bufferAddress(grown);
        capacity = newCapacity;
    }
}
