/*
 * Handles: uv_close and the close callback, type, active/closing, ref/unref/has_ref, socket
 * buffer sizes, uv_fileno.
 */
#include "uvtcp.h"

#include <stdlib.h>

#define HANDLE(address) UVTCP_PTR(uv_handle_t, address)

void uvtcp_handle_close_cb(uv_handle_t *handle) {
  uvtcp_handle_t *h = handle->data;
  uvtcp_loop_t *loop = uvtcp_loop_of(handle);
  /* Reads come before the close: after it the handle's id may name another handle. */
  uvtcp_flush_reads(loop);
  JNIEnv *env = uvtcp_env(loop);
  if (env != NULL) {
    (*env)->CallVoidMethod(env, loop->callbacks, uvtcp_ids.on_close, h->id);
    uvtcp_after_upcall(env);
  }
  free(h);
}

static void JNICALL handleClose(JNIEnv *env, jclass cls, jlong address) {
  (void) env;
  (void) cls;
  uv_handle_t *handle = HANDLE(address);
  if (!uv_is_closing(handle)) {
    uv_close(handle, uvtcp_handle_close_cb);
  }
}

static jint JNICALL handleType(JNIEnv *env, jclass cls, jlong address) {
  (void) env;
  (void) cls;
  return (jint) uv_handle_get_type(HANDLE(address));
}

static jboolean JNICALL isActive(JNIEnv *env, jclass cls, jlong address) {
  (void) env;
  (void) cls;
  return uv_is_active(HANDLE(address)) ? JNI_TRUE : JNI_FALSE;
}

static jboolean JNICALL isClosing(JNIEnv *env, jclass cls, jlong address) {
  (void) env;
  (void) cls;
  return uv_is_closing(HANDLE(address)) ? JNI_TRUE : JNI_FALSE;
}

static void JNICALL ref(JNIEnv *env, jclass cls, jlong address) {
  (void) env;
  (void) cls;
  uv_ref(HANDLE(address));
}

static void JNICALL unref(JNIEnv *env, jclass cls, jlong address) {
  (void) env;
  (void) cls;
  uv_unref(HANDLE(address));
}

static jboolean JNICALL hasRef(JNIEnv *env, jclass cls, jlong address) {
  (void) env;
  (void) cls;
  return uv_has_ref(HANDLE(address)) ? JNI_TRUE : JNI_FALSE;
}

typedef int (*buffer_size_fn)(uv_handle_t *, int *);

static jint buffer_size(buffer_size_fn fn, jlong address, jint value) {
  int v = value;
  int err = fn(HANDLE(address), &v);
  if (err != 0) {
    return err;
  }
  return value == 0 ? v : 0;
}

static jint JNICALL sendBufferSize(JNIEnv *env, jclass cls, jlong address, jint value) {
  (void) env;
  (void) cls;
  return buffer_size(uv_send_buffer_size, address, value);
}

static jint JNICALL recvBufferSize(JNIEnv *env, jclass cls, jlong address, jint value) {
  (void) env;
  (void) cls;
  return buffer_size(uv_recv_buffer_size, address, value);
}

static jint JNICALL handleFileno(JNIEnv *env, jclass cls, jlong address) {
  (void) env;
  (void) cls;
  uv_os_fd_t fd;
  int err = uv_fileno(HANDLE(address), &fd);
  return err != 0 ? err : (jint) fd;
}

static const JNINativeMethod methods[] = {
    {"close", "(J)V", (void *) handleClose},
    {"handleType", "(J)I", (void *) handleType},
    {"isActive", "(J)Z", (void *) isActive},
    {"isClosing", "(J)Z", (void *) isClosing},
    {"ref", "(J)V", (void *) ref},
    {"unref", "(J)V", (void *) unref},
    {"hasRef", "(J)Z", (void *) hasRef},
    {"sendBufferSize", "(JI)I", (void *) sendBufferSize},
    {"recvBufferSize", "(JI)I", (void *) recvBufferSize},
    {"fileno", "(J)I", (void *) handleFileno},
};

int uvtcp_register_handle(JNIEnv *env, jclass cls) {
  return (*env)->RegisterNatives(env, cls, methods, (jint) UVTCP_COUNT(methods)) == 0 ? 0 : -1;
}
