package dev.uvtcp.launcher.console;

import java.io.PrintStream;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The launcher's console: one line per message on standard output, each starting with
 * {@value #PREFIX}. A message printed again within {@link #REPEAT_SILENCE_NANOS} is dropped,
 * because FileInstall and Declarative Services repeat the same failure on every retry.
 *
 * <p>Threading: any thread; lines are never interleaved.
 */
final class Console {

    static final String PREFIX = "uvtcp launcher: ";
    static final long REPEAT_SILENCE_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final int REMEMBERED = 512;

    private final PrintStream out;
    private final LongSupplier nanoClock;
    /** Guarded by this: when each recent message was printed, oldest first. */
    private final Map<String, Long> printed = new LinkedHashMap<>();

    /**
     * @param out where lines go
     * @param nanoClock {@link System#nanoTime()}, or a test's clock
     */
    Console(PrintStream out, LongSupplier nanoClock) {
        this.out = out;
        this.nanoClock = nanoClock;
    }

    /**
     * Prints {@code PREFIX + message} unless the same message was printed less than a minute
     * ago.
     *
     * @return whether it was printed
     */
    synchronized boolean print(String message) {
        long now = nanoClock.getAsLong();
        Long last = printed.get(message);
        if (last != null && now - last < REPEAT_SILENCE_NANOS) {
            return false;
        }
        printed.remove(message);
        printed.put(message, now);
        Iterator<Long> oldest = printed.values().iterator();
        while (printed.size() > REMEMBERED) {
            oldest.next();
            oldest.remove();
        }
        out.println(PREFIX + message);
        out.flush();
        return true;
    }
}
