package dev.uvtcp.service.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.uvtcp.HandleClosedException;
import dev.uvtcp.Tcp;
import dev.uvtcp.service.TestSupport;
import org.junit.jupiter.api.Test;

/**
 * libuv's {@code test/test-handle-fileno.c} (TCP part): no descriptor before bind (EBADF,
 * thrown at the call), one after. After close libuv answers EBADF; uvtcp throws
 * {@link HandleClosedException} (documented on {@code Handle}).
 */
class HandleFilenoConformanceTest extends ConformanceFixture {

    @Test
    void handle_fileno_EBADFBeforeBind_aDescriptorAfter_HandleClosedExceptionAfterClose()
            throws Exception {
        Tcp tcp = service.newTcp();
        thrownAtTheCall("EBADF", tcp::fileno);
        tcp.bind(TestSupport.loopback(0));
        assertThat(tcp.fileno()).isNotNegative();
        tcp.close();
        assertThatThrownBy(tcp::fileno).isInstanceOf(HandleClosedException.class);
    }

    @Test
    void handle_fileno_setBlockingWithoutASocketThrowsEBADFAtTheCall() throws Exception {
        Tcp tcp = service.newTcp();
        thrownAtTheCall("EBADF", () -> tcp.setBlocking(true));
        tcp.bind(TestSupport.loopback(0));
        tcp.setBlocking(false);
    }
}
