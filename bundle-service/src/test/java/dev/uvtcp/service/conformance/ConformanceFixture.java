package dev.uvtcp.service.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.uvtcp.UvException;
import dev.uvtcp.service.StandaloneTcpService;
import dev.uvtcp.service.TestSupport;
import java.util.concurrent.CompletionStage;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The base of the libuv conformance tests: one test class per libuv 1.44.2 test file
 * ({@code test/test-*.c}), each test named after the libuv test it follows
 * ({@code tcp_bind_error_inval_...}), followed by what uvtcp does and, for an error, its
 * libuv name and where it surfaces:
 *
 * <ul>
 *   <li><em>at the call</em>: the method throws the {@link UvException} (synchronous methods);
 *   <li><em>stage fails</em>: the returned stage fails with it (asynchronous methods; when
 *       libuv refuses the request at once, the stage is already failed when the method returns
 *       on the loop thread);
 *   <li><em>callback gets it</em>: a handler ({@code ReadHandler.onError}, a listen handler)
 *       is called with it.
 * </ul>
 *
 * <p>Where uvtcp answers differently from libuv the test says so in its name and the API's
 * Javadoc documents it (e.g. a closed handle: {@code HandleClosedException} where libuv says
 * EINVAL, EBADF or ENOTCONN). Every test gets its own one-loop service, closed after it.
 */
abstract class ConformanceFixture {

    StandaloneTcpService service;

    @BeforeEach
    void startService() throws Exception {
        service = TestSupport.startService("conf");
    }

    @AfterEach
    void closeService() {
        service.close();
    }

    /** Asserts that {@code call} throws a {@link UvException} named {@code errorName}. */
    static UvException thrownAtTheCall(String errorName, ThrowingCallable call) {
        Throwable thrown = catchThrowable(call);
        assertThat(thrown).as("thrown at the call").isInstanceOf(UvException.class);
        UvException e = (UvException) thrown;
        assertThat(e.errorName()).as("error name of %s", e).isEqualTo(errorName);
        assertThat(e.code()).as("libuv code of %s", errorName).isNegative();
        return e;
    }

    /** Asserts that {@code stage} fails (bounded wait) with a {@link UvException} {@code errorName}. */
    static UvException stageFailsWith(String errorName, CompletionStage<?> stage) {
        Throwable failure = TestSupport.failureOf(stage);
        assertThat(failure).as("stage failure").isInstanceOf(UvException.class);
        UvException e = (UvException) failure;
        assertThat(e.errorName()).as("error name of %s", e).isEqualTo(errorName);
        return e;
    }

    /** The libuv error name of {@code failure}, or its class name if it is no UvException. */
    static String errorNameOf(Throwable failure) {
        return failure instanceof UvException e ? e.errorName() : failure.getClass().getName();
    }
}
