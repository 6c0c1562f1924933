package dev.uvtcp.jni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import org.junit.jupiter.api.Test;

class NativeLibraryTest {

    @Test
    void libraryLoadsAndReportsThePinnedLibuvVersion() {
        assertThat(UvNative.version()).isEqualTo("1.44.2");
    }

    @Test
    void loadingAgainIsANoOp() {
        assertThatCode(() -> {
            NativeLibrary.load();
            NativeLibrary.load();
        }).doesNotThrowAnyException();
    }

    @Test
    void platformOfThisMachineIsNamedAsInTheJar() {
        assertThat(NativeLibrary.platform()).matches("[a-z0-9]+-[a-z0-9_]+");
    }
}
