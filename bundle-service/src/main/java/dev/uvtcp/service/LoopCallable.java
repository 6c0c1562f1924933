package dev.uvtcp.service;

import dev.uvtcp.UvException;

/** Work run on a loop thread whose result, or libuv error, goes back to the caller. */
@FunctionalInterface
interface LoopCallable<T> {
    T call() throws UvException;
}
