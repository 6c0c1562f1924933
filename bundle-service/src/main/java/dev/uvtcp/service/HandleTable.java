package dev.uvtcp.service;

import java.util.Arrays;

/**
 * A loop's open handles by the small int id the native layer calls them by (in place of a JNI
 * reference per handle). Ids of closed handles are reused. Loop thread only.
 */
final class HandleTable {

    private UvHandle[] handles = new UvHandle[64];
    /** Ids free for reuse, a stack; ids at and above {@link #next} were never used. */
    private int[] free = new int[64];
    private int freeCount;
    private int next;

    /** @return the id now naming {@code handle} */
    int add(UvHandle handle) {
        int id;
        if (freeCount > 0) {
            id = free[--freeCount];
        } else {
            id = next++;
            if (id == handles.length) {
                handles = Arrays.copyOf(handles, id * 2);
            }
        }
        handles[id] = handle;
        return id;
    }

    /** @return the handle named {@code id} */
    UvHandle get(int id) {
        return handles[id];
    }

    /** Frees {@code id} for reuse. */
    void remove(int id) {
        handles[id] = null;
        if (freeCount == free.length) {
            free = Arrays.copyOf(free, freeCount * 2);
        }
        free[freeCount++] = id;
    }
}
