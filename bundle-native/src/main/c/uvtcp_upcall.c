/*
 * What the concept files share: the up-call method ids of LoopCallbacks, the JNIEnv of a
 * loop's thread, and the exception safety net after an up-call.
 *
 * Global state: only the JavaVM and the method ids. No class references are kept (the method
 * ids stay valid for as long as the class is loaded, and this library is unloaded only
 * together with its class loader), so nothing here pins a class loader.
 */
#include "uvtcp.h"

uvtcp_ids_t uvtcp_ids;
static JavaVM *uvtcp_vm;

int uvtcp_upcall_init(JavaVM *vm, JNIEnv *env) {
  jclass cls = (*env)->FindClass(env, UVTCP_LOOP_CALLBACKS_CLASS);
  if (cls == NULL) {
    return -1;
  }
  static const struct {
    const char *name;
    const char *sig;
    size_t offset;
  } wanted[] = {
      {"onWakeup", "()V", offsetof(uvtcp_ids_t, on_wakeup)},
      {"onReads", "(I)V", offsetof(uvtcp_ids_t, on_reads)},
      {"onWrite", "(III)V", offsetof(uvtcp_ids_t, on_write)},
      {"onConnect", "(II)V", offsetof(uvtcp_ids_t, on_connect)},
      {"onShutdown", "(II)V", offsetof(uvtcp_ids_t, on_shutdown)},
      {"onConnection", "(II)V", offsetof(uvtcp_ids_t, on_connection)},
      {"onClose", "(I)V", offsetof(uvtcp_ids_t, on_close)},
  };
  uvtcp_ids_t ids;
  for (size_t i = 0; i < UVTCP_COUNT(wanted); i++) {
    jmethodID id = (*env)->GetMethodID(env, cls, wanted[i].name, wanted[i].sig);
    if (id == NULL) {
      (*env)->DeleteLocalRef(env, cls);
      return -1; /* NoSuchMethodError pending */
    }
    *(jmethodID *) ((char *) &ids + wanted[i].offset) = id;
  }
  (*env)->DeleteLocalRef(env, cls);
  uvtcp_ids = ids;
  uvtcp_vm = vm;
  return 0;
}

void uvtcp_upcall_forget(void) {
  uvtcp_vm = NULL;
  uvtcp_ids = (uvtcp_ids_t){0};
}

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

void uvtcp_flush_reads(uvtcp_loop_t *loop) {
  unsigned count = loop->read_event_count;
  if (count == 0) {
    return;
  }
  JNIEnv *env = uvtcp_env(loop);
  if (env != NULL) {
    /* Java reads the events and the bytes during the call; libuv reads nothing meanwhile. */
    (*env)->CallVoidMethod(env, loop->callbacks, uvtcp_ids.on_reads, (jint) count);
    uvtcp_after_upcall(env);
  }
  loop->read_event_count = 0;
  loop->read_used = 0;
}

void uvtcp_after_upcall(JNIEnv *env) {
  if ((*env)->ExceptionCheck(env)) {
    (*env)->ExceptionDescribe(env);
    (*env)->ExceptionClear(env);
  }
}

void uvtcp_upcall_status(uv_handle_t *handle, jmethodID method, int status) {
  uvtcp_loop_t *loop = uvtcp_loop_of(handle);
  JNIEnv *env = uvtcp_env(loop);
  if (env == NULL) {
    return;
  }
  (*env)->CallVoidMethod(env, loop->callbacks, method, uvtcp_id_of(handle), (jint) status);
  uvtcp_after_upcall(env);
}
