/**
 * uvtcp's JNI boundary: {@link dev.uvtcp.jni.UvNative}, the one class with native methods, the
 * up-call interfaces it calls back on, and {@link dev.uvtcp.jni.NativeLibrary}, its loader.
 *
 * <p><b>Internal.</b> Exported only for uvtcp's service bundle, with the mandatory attribute
 * {@code uvtcp.internal=true}: an ordinary {@code Import-Package} does not match it.
 */
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.uvtcp.jni;
