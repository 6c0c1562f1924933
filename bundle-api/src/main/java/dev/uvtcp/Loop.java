package dev.uvtcp;

import java.util.concurrent.Executor;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A libuv event loop ({@code uv_loop_t}) and the one thread that runs it. A {@link TcpService}
 * owns its loops; consumers never start or stop them.
 *
 * <p>As an {@link Executor}, a loop runs tasks on its thread in submission order; tasks must
 * not block. Submitting after the loop has stopped throws
 * {@link java.util.concurrent.RejectedExecutionException}.
 */
@ProviderType
public interface Loop extends Executor {

    /** @return the loop thread's name, e.g. {@code "uvtcp-loop-0"} */
    String name();

    /** @return true if the calling thread is this loop's thread */
    boolean inLoop();

    /**
     * Whether the loop has work that would keep libuv's {@code uv_run} going: an active,
     * referenced handle or a pending request ({@code uv_loop_alive}, not counting uvtcp's own
     * wake-up handle). The loop thread itself keeps running until its service closes.
     *
     * @return true if alive
     * @throws java.util.concurrent.RejectedExecutionException if the loop has stopped
     */
    boolean isAlive();

    /**
     * @return the number of open handles on this loop, all consumers together
     */
    int handleCount();

    /**
     * @return {@code uv_now}: the loop's cached time in milliseconds
     * @throws java.util.concurrent.RejectedExecutionException if the loop has stopped
     */
    long now();
}
