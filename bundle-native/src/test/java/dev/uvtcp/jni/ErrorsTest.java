package dev.uvtcp.jni;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ErrorsTest {

    @Test
    void errorNameRoundTripsThroughItsCode() {
        int code = UvNative.errCode("EADDRINUSE");
        assertThat(code).isNegative();
        assertThat(UvNative.errName(code)).isEqualTo("EADDRINUSE");
        assertThat(UvNative.strError(code)).isNotBlank();
    }

    @Test
    void eofIsKnownToo() {
        assertThat(UvNative.errName(UvNative.errCode("EOF"))).isEqualTo("EOF");
    }

    @Test
    void unknownNameHasCodeZero() {
        assertThat(UvNative.errCode("ENOSUCHTHING")).isZero();
        assertThat(UvNative.errCode(null)).isZero();
    }

    @Test
    void unknownCodeStillHasANameAndMessage() {
        assertThat(UvNative.errName(-987654)).isNotBlank();
        assertThat(UvNative.strError(-987654)).isNotBlank();
    }
}
