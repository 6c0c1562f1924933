/*
 * JNI entry points: JNI_OnLoad registers UvNative's natives and caches the up-call method
 * ids; JNI_OnUnload forgets them. Plus the small helpers every other file uses.
 *
 * Global state: only the JavaVM and the method ids below. No class references are kept (the
 * method ids stay valid for as long as the classes are loaded, and this library is unloaded
 * only together with their class loader), so nothing here pins a class loader.
 */
#include "uvtcp.h"

#include <stdio.h>

uvtcp_ids_t uvtcp_ids;
static JavaVM *uvtcp_vm;

JNIEnv *uvtcp_env(uvtcp_loop_t *loop) {
  if (loop->env != NULL) {
    return loop->env;
  }
  /* Not expected: libuv only calls back inside uv_run, where loopRun has set env. */
  JNIEnv *env = NULL;
  if (uvtcp_vm == NULL
      || (*uvtcp_vm)->GetEnv(uvtcp_vm, (void **) &env, JNI_VERSION_1_8) != JNI_OK) {
    return NULL;
  }
  return env;
}

void uvtcp_after_upcall(JNIEnv *env) {
  if ((*env)->ExceptionCheck(env)) {
    (*env)->ExceptionDescribe(env);
    (*env)->ExceptionClear(env);
  }
}

static jmethodID method(JNIEnv *env, jclass cls, const char *name, const char *sig) {
  return cls == NULL ? NULL : (*env)->GetMethodID(env, cls, name, sig);
}

static int cache_ids(JNIEnv *env) {
  uvtcp_ids_t ids;
  jclass handle_cls = (*env)->FindClass(env, UVTCP_HANDLE_CALLBACKS_CLASS);
  if (handle_cls == NULL) {
    return -1;
  }
  ids.on_read = method(env, handle_cls, "onRead", "(J)V");
  ids.on_write = ids.on_read ? method(env, handle_cls, "onWrite", "(II)V") : NULL;
  ids.on_connect = ids.on_write ? method(env, handle_cls, "onConnect", "(I)V") : NULL;
  ids.on_shutdown = ids.on_connect ? method(env, handle_cls, "onShutdown", "(I)V") : NULL;
  ids.on_connection =
      ids.on_shutdown ? method(env, handle_cls, "onConnection", "(I)V") : NULL;
  ids.on_close = ids.on_connection ? method(env, handle_cls, "onClose", "()V") : NULL;
  (*env)->DeleteLocalRef(env, handle_cls);
  if (ids.on_close == NULL) {
    return -1;
  }
  jclass loop_cls = (*env)->FindClass(env, UVTCP_LOOP_CALLBACKS_CLASS);
  if (loop_cls == NULL) {
    return -1;
  }
  ids.on_wakeup = method(env, loop_cls, "onWakeup", "()V");
  (*env)->DeleteLocalRef(env, loop_cls);
  if (ids.on_wakeup == NULL) {
    return -1;
  }
  uvtcp_ids = ids;
  return 0;
}

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved) {
  (void) reserved;
  JNIEnv *env = NULL;
  if ((*vm)->GetEnv(vm, (void **) &env, JNI_VERSION_1_8) != JNI_OK) {
    return JNI_ERR;
  }
  if (cache_ids(env) != 0) {
    return JNI_ERR; /* a NoClassDefFoundError / NoSuchMethodError is pending */
  }
  jclass cls = (*env)->FindClass(env, UVTCP_NATIVE_CLASS);
  if (cls == NULL) {
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
    return JNI_ERR;
  }
  (*env)->DeleteLocalRef(env, cls);
  uvtcp_vm = vm;
  return JNI_VERSION_1_8;
}

JNIEXPORT void JNICALL JNI_OnUnload(JavaVM *vm, void *reserved) {
  (void) vm;
  (void) reserved;
  /* The classes are gone with their loader; there are no global references to delete. */
  uvtcp_vm = NULL;
  uvtcp_ids = (uvtcp_ids_t){0};
}
