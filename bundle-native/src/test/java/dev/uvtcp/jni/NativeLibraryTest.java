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
        assertThat(NativeLibrary.class.getResource(
                NativeLibrary.resourceFor(NativeLibrary.platform())))
                .as("the library of " + NativeLibrary.platform()).isNotNull();
    }

    @Test
    void osArchAliasesMapToTheDirectoriesOfTheJar() {
        assertThat(NativeLibrary.platform("Linux", "amd64")).isEqualTo("linux-x86_64");
        assertThat(NativeLibrary.platform("Linux", "x86_64")).isEqualTo("linux-x86_64");
        assertThat(NativeLibrary.platform("Linux", "aarch64")).isEqualTo("linux-aarch64");
        assertThat(NativeLibrary.platform("Linux", "arm64")).isEqualTo("linux-aarch64");
        assertThat(NativeLibrary.platform("Mac OS X", "aarch64")).isEqualTo("macos-aarch64");
        assertThat(NativeLibrary.platform("Windows 11", "amd64")).isEqualTo("windows-x86_64");
        assertThat(NativeLibrary.platform("Linux", "riscv64")).isEqualTo("linux-riscv64");
    }

    @Test
    void eachPlatformHasItsOwnLibraryFileName() {
        assertThat(NativeLibrary.resourceFor("linux-aarch64"))
                .isEqualTo("/META-INF/native/linux-aarch64/libuvtcp.so");
        assertThat(NativeLibrary.resourceFor("macos-aarch64"))
                .isEqualTo("/META-INF/native/macos-aarch64/libuvtcp.dylib");
        assertThat(NativeLibrary.resourceFor("windows-x86_64"))
                .isEqualTo("/META-INF/native/windows-x86_64/uvtcp.dll");
    }

    @Test
    void theJarCarriesTheLinuxX8664AndAarch64Libraries() {
        assertThat(NativeLibrary.platformsInJar())
                .containsExactly("linux-x86_64", "linux-aarch64");
    }
}
