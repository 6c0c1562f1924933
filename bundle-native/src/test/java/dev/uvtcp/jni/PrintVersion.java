package dev.uvtcp.jni;

/** Run in a child JVM by {@link NativeLibraryLoadingTest}: prints libuv's version or the error. */
public final class PrintVersion {

    private PrintVersion() {
    }

    /**
     * Prints {@code UvNative.version()}, or the loading error's class and message.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        try {
            System.out.println("version=" + UvNative.version());
        } catch (UnsatisfiedLinkError e) {
            System.out.println("error=" + e.getMessage());
        }
    }
}
