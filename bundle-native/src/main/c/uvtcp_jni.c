/*
 * The root of the glue: JNI_OnLoad caches the up-call ids (uvtcp_upcall.c) and registers
 * every concept file's natives on UvNative; JNI_OnUnload forgets the ids. Only these two
 * functions are exported from the library.
 */
#include "uvtcp.h"

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved) {
  (void) reserved;
  JNIEnv *env = NULL;
  if ((*vm)->GetEnv(vm, (void **) &env, JNI_VERSION_1_8) != JNI_OK) {
    return JNI_ERR;
  }
  if (uvtcp_upcall_init(vm, env) != 0) {
    return JNI_ERR; /* a NoClassDefFoundError / NoSuchMethodError is pending */
  }
  jclass cls = (*env)->FindClass(env, UVTCP_NATIVE_CLASS);
  if (cls == NULL) {
    uvtcp_upcall_forget();
    return JNI_ERR;
  }
  if (uvtcp_register_errors(env, cls) != 0 || uvtcp_register_loop(env, cls) != 0
      || uvtcp_register_handle(env, cls) != 0 || uvtcp_register_stream(env, cls) != 0
      || uvtcp_register_tcp(env, cls) != 0) {
    /* Undo whatever was registered so far; keep the pending NoSuchMethodError. */
    jthrowable pending = (*env)->ExceptionOccurred(env);
    if (pending != NULL) {
      (*env)->ExceptionClear(env);
    }
    (*env)->UnregisterNatives(env, cls);
    if (pending != NULL) {
      (*env)->Throw(env, pending);
      (*env)->DeleteLocalRef(env, pending);
    }
    (*env)->DeleteLocalRef(env, cls);
    uvtcp_upcall_forget();
    return JNI_ERR;
  }
  (*env)->DeleteLocalRef(env, cls);
  return JNI_VERSION_1_8;
}

JNIEXPORT void JNICALL JNI_OnUnload(JavaVM *vm, void *reserved) {
  (void) vm;
  (void) reserved;
  /* The classes are gone with their loader; there are no global references to delete. */
  uvtcp_upcall_forget();
}
