package dev.uvtcp.service;

import java.util.ArrayList;
import java.util.List;

/**
 * A list of handles linked through the handles' own fields, so that holding a handle in it
 * costs no node object: an idle server holds one handle per connection, in two lists (its
 * loop's and its owner's), each with its own pair of link fields in {@link UvHandle}.
 *
 * <p>Not thread-safe: each user confines it to a thread or guards it with a lock.
 * {@link #size()} may be read from any thread.
 */
final class HandleList {

    /** Which pair of link fields of {@link UvHandle} a list uses. */
    enum Links {
        /** {@code previousInLoop}/{@code nextInLoop}: the loop's list. */
        LOOP,
        /** {@code previousOfOwner}/{@code nextOfOwner}: the owner's list. */
        OWNER
    }

    private final boolean ownerLinks;
    private UvHandle first;
    /** Written by the list's user only; read anywhere. */
    private volatile int size;

    HandleList(Links links) {
        this.ownerLinks = links == Links.OWNER;
    }

    /** Adds a handle that is in no list of this kind. */
    void add(UvHandle handle) {
        setPrevious(handle, null);
        setNext(handle, first);
        if (first != null) {
            setPrevious(first, handle);
        }
        first = handle;
        size++;
    }

    /** Removes a handle; one that is not in the list is ignored. */
    void remove(UvHandle handle) {
        UvHandle previous = previous(handle);
        UvHandle next = next(handle);
        if (previous == null && first != handle) {
            return;
        }
        if (previous == null) {
            first = next;
        } else {
            setNext(previous, next);
        }
        if (next != null) {
            setPrevious(next, previous);
        }
        setPrevious(handle, null);
        setNext(handle, null);
        size--;
    }

    /** @return the handles, newest first, as a new list */
    List<UvHandle> snapshot() {
        List<UvHandle> copy = new ArrayList<>(size);
        for (UvHandle each = first; each != null; each = next(each)) {
            copy.add(each);
        }
        return copy;
    }

    /** Any thread: the number of handles (possibly stale by the time it is used). */
    int size() {
        return size;
    }

    private UvHandle previous(UvHandle handle) {
        return ownerLinks ? handle.previousOfOwner : handle.previousInLoop;
    }

    private UvHandle next(UvHandle handle) {
        return ownerLinks ? handle.nextOfOwner : handle.nextInLoop;
    }

    private void setPrevious(UvHandle handle, UvHandle value) {
        if (ownerLinks) {
            handle.previousOfOwner = value;
        } else {
            handle.previousInLoop = value;
        }
    }

    private void setNext(UvHandle handle, UvHandle value) {
        if (ownerLinks) {
            handle.nextOfOwner = value;
        } else {
            handle.nextInLoop = value;
        }
    }
}
