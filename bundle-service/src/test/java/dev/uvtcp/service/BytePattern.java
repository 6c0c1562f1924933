package dev.uvtcp.service;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The bytes of a checked stream: byte {@code p} of the stream with seed {@code s} is byte
 * {@code p % 8} (little-endian) of {@code mix(s + (p / 8) * GOLDEN)}, a SplitMix64 step.
 *
 * <p>Why this pattern: every byte is a function of its absolute position with no period in
 * practice (a new 64-bit word every 8 bytes) and of the connection's seed, so a range that is
 * shifted, repeated, dropped or taken from another connection never looks right, unlike a
 * 256-byte cycle, which a gap of a multiple of 256 would pass. The same function is written
 * in {@code src/test/c/byte_exact_client.c}.
 *
 * <p>Stateless and thread-safe; the bulk methods take absolute indexes and leave the buffers'
 * positions alone.
 */
final class BytePattern {

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final VarHandle BUFFER_LONGS =
            MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle ARRAY_LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private BytePattern() {
    }

    /** The seed of a connection, from a per-scenario salt and the client's local port. */
    static long seedFor(long salt, int clientPort) {
        return mix(salt * GOLDEN + clientPort);
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The 8 bytes at stream positions {@code 8 * index .. 8 * index + 7}, little-endian. */
    static long word(long seed, long index) {
        return mix(seed + index * GOLDEN);
    }

    static byte at(long seed, long position) {
        return (byte) (word(seed, position >>> 3) >>> ((position & 7) * 8));
    }

    /** Writes stream bytes {@code position ..} into {@code dst[index .. index + length)}. */
    static void fill(long seed, long position, ByteBuffer dst, int index, int length) {
        int i = 0;
        for (; i < length && ((position + i) & 7) != 0; i++) {
            dst.put(index + i, at(seed, position + i));
        }
        for (; i + 8 <= length; i += 8) {
            BUFFER_LONGS.set(dst, index + i, word(seed, (position + i) >>> 3));
        }
        for (; i < length; i++) {
            dst.put(index + i, at(seed, position + i));
        }
    }

    /** Writes stream bytes {@code position ..} into {@code dst[index .. index + length)}. */
    static void fill(long seed, long position, byte[] dst, int index, int length) {
        int i = 0;
        for (; i < length && ((position + i) & 7) != 0; i++) {
            dst[index + i] = at(seed, position + i);
        }
        for (; i + 8 <= length; i += 8) {
            ARRAY_LONGS.set(dst, index + i, word(seed, (position + i) >>> 3));
        }
        for (; i < length; i++) {
            dst[index + i] = at(seed, position + i);
        }
    }

    /**
     * @return the index (relative to {@code index}) of the first byte of
     *     {@code src[index .. index + length)} that differs from the stream at
     *     {@code position ..}, or -1 if all match
     */
    static int firstDifference(long seed, long position, ByteBuffer src, int index, int length) {
        int i = 0;
        for (; i < length && ((position + i) & 7) != 0; i++) {
            if (src.get(index + i) != at(seed, position + i)) {
                return i;
            }
        }
        for (; i + 8 <= length; i += 8) {
            if ((long) BUFFER_LONGS.get(src, index + i) != word(seed, (position + i) >>> 3)) {
                break;
            }
        }
        for (; i < length; i++) {
            if (src.get(index + i) != at(seed, position + i)) {
                return i;
            }
        }
        return -1;
    }

    /** CRC-32C of the first {@code length} bytes of the stream. */
    static long crcOfPrefix(long seed, long length) {
        CRC32C crc = new CRC32C();
        byte[] block = new byte[64 * 1024];
        for (long done = 0; done < length; ) {
            int n = (int) Math.min(block.length, length - done);
            fill(seed, done, block, 0, n);
            crc.update(block, 0, n);
            done += n;
        }
        return crc.getValue();
    }

    /**
     * Where {@code bytes} occur in the stream between {@code from} and {@code to} (positions),
     * or -1: tells a shift (bytes lost or repeated) from garbage when a check fails.
     */
    static long find(long seed, byte[] bytes, long from, long to) {
        if (bytes.length == 0) {
            return -1;
        }
        long start = Math.max(0, from);
        int block = 1 << 20;
        byte[] window = new byte[block + bytes.length];
        for (long base = start; base < to; base += block) {
            int n = (int) Math.min(window.length, to - base + bytes.length);
            fill(seed, base, window, 0, n);
            for (int i = 0; i + bytes.length <= n && base + i < to; i++) {
                if (window[i] == bytes[0] && matches(window, i, bytes)) {
                    return base + i;
                }
            }
        }
        return -1;
    }

    private static boolean matches(byte[] window, int at, byte[] bytes) {
        for (int j = 1; j < bytes.length; j++) {
            if (window[at + j] != bytes[j]) {
                return false;
            }
        }
        return true;
    }
}
