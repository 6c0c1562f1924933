package dev.uvtcp.jni;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A loop's scratch array for one native write of many buffers, laid out as the native layer
 * reads it (address and length of each, {@link UvNative#IOV_BYTES} bytes per buffer), for
 * {@link UvNative#write} and {@link UvNative#tryWrite}. The layout stays inside the native
 * boundary: callers only add (address, length) pairs. libuv copies what it is given, so the
 * array is reused for the next write.
 *
 * <p>Threading: one loop thread only (each loop has its own). Lifetime: the loop's; the direct
 * memory goes with the object.
 */
public final class IoVectors {

    private ByteBuffer entries;
    /** Where {@link #entries} starts in memory: what native writes are given. */
    private long address;
    private int capacity;
    private int count;

    /** An empty array with room for 16 buffers; it grows as needed. */
    public IoVectors() {
        grow(16);
    }

    /** Adds a buffer: {@code length} bytes at {@code bufferAddress}. */
    public void add(long bufferAddress, int length) {
        if (count == capacity) {
            grow(capacity * 2);
        }
        int at = count * UvNative.IOV_BYTES;
        entries.putLong(at, bufferAddress);
        entries.putLong(at + 8, length);
        count++;
    }

    /** @return the buffers added since the last {@link #clear()} */
    public int count() {
        return count;
    }

    /** @return where the array starts in memory: the {@code iov} argument of the writes */
    public long address() {
        return address;
    }

    /** Empties the array for the next write (its memory is kept). */
    public void clear() {
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
