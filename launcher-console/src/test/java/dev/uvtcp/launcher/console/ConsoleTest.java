package dev.uvtcp.launcher.console;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The console prints each message once a minute at most, with the launcher's prefix. */
class ConsoleTest {

    @Test
    void aRepeatWithinAMinuteIsDroppedAndPrintedAgainAfterIt() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AtomicLong now = new AtomicLong(1_000);
        Console console = new Console(new PrintStream(out, true, UTF_8), now::get);

        assertThat(console.print("WARN from x [3]: broken")).isTrue();
        now.addAndGet(TimeUnit.SECONDS.toNanos(59));
        assertThat(console.print("WARN from x [3]: broken")).isFalse();
        assertThat(console.print("WARN from x [3]: other")).isTrue();
        now.addAndGet(TimeUnit.SECONDS.toNanos(2));
        assertThat(console.print("WARN from x [3]: broken")).isTrue();

        assertThat(out.toString(UTF_8)).isEqualTo(""
                + "uvtcp launcher: WARN from x [3]: broken\n"
                + "uvtcp launcher: WARN from x [3]: other\n"
                + "uvtcp launcher: WARN from x [3]: broken\n");
    }
}
