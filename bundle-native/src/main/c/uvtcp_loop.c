/*
 * Loops: uv_loop_init/close, uv_run, uv_stop, uv_now, and the async handle used for wake-ups.
 */
#include "uvtcp.h"

#include <stdlib.h>

static void wakeup_cb(uv_async_t *async) {
  uvtcp_loop_t *loop = async->data;
  JNIEnv *env = uvtcp_env(loop);
  if (env == NULL) {
    return;
  }
  (*env)->CallVoidMethod(env, loop->callbacks, uvtcp_ids.on_wakeup);
  uvtcp_after_upcall(env);
}

/* After each poll phase, and before each: the reads batched meanwhile go to Java. */
static void batch_check_cb(uv_check_t *check) {
  uvtcp_flush_reads(check->data);
}

static void batch_prepare_cb(uv_prepare_t *prepare) {
  uvtcp_flush_reads(prepare->data);
}

/*
 * Starts a loop's batch handles, unreferenced: they never keep a loop alive. uv_check_init and
 * uv_prepare_init only register the handle on Unix; they cannot fail.
 */
static void start_batch_handles(uvtcp_loop_t *loop) {
  uv_check_init(&loop->loop, &loop->batch_check);
  loop->batch_check.data = loop;
  uv_check_start(&loop->batch_check, batch_check_cb);
  uv_unref((uv_handle_t *) &loop->batch_check);
  uv_prepare_init(&loop->loop, &loop->batch_prepare);
  loop->batch_prepare.data = loop;
  uv_prepare_start(&loop->batch_prepare, batch_prepare_cb);
  uv_unref((uv_handle_t *) &loop->batch_prepare);
}

/* Whether a handle is one of the loop's own (not a uvtcp handle). */
static int is_loop_handle(const uvtcp_loop_t *loop, const uv_handle_t *handle) {
  return handle == (const uv_handle_t *) &loop->wakeup
      || handle == (const uv_handle_t *) &loop->batch_check
      || handle == (const uv_handle_t *) &loop->batch_prepare;
}

static jlong JNICALL loopNew(JNIEnv *env, jclass cls, jobject read_buffer, jobject read_events,
    jobject callbacks) {
  (void) cls;
  if (read_buffer == NULL || read_events == NULL || callbacks == NULL) {
    return UV_EINVAL;
  }
  char *base = (*env)->GetDirectBufferAddress(env, read_buffer);
  jlong capacity = (*env)->GetDirectBufferCapacity(env, read_buffer);
  void *events = (*env)->GetDirectBufferAddress(env, read_events);
  jlong events_bytes = (*env)->GetDirectBufferCapacity(env, read_events);
  if (base == NULL || capacity <= 0 || capacity > INT32_MAX || events == NULL
      || events_bytes < UVTCP_READ_EVENT_BYTES
      || (uintptr_t) events % _Alignof(uvtcp_read_event_t) != 0) {
    return UV_EINVAL;
  }
  uvtcp_loop_t *loop = calloc(1, sizeof *loop);
  if (loop == NULL) {
    return UV_ENOMEM;
  }
  loop->read_base = base;
  loop->read_capacity = (size_t) capacity;
  loop->read_events = events;
  loop->read_event_capacity = (unsigned) (events_bytes / UVTCP_READ_EVENT_BYTES);
  loop->callbacks = (*env)->NewGlobalRef(env, callbacks);
  loop->read_buffer = (*env)->NewGlobalRef(env, read_buffer);
  loop->read_events_buffer = (*env)->NewGlobalRef(env, read_events);
  int err = UV_ENOMEM;
  if (loop->callbacks == NULL || loop->read_buffer == NULL
      || loop->read_events_buffer == NULL) {
    goto fail;
  }
  err = uv_loop_init(&loop->loop);
  if (err != 0) {
    goto fail;
  }
  err = uv_async_init(&loop->loop, &loop->wakeup, wakeup_cb);
  if (err != 0) {
    /* The async handle was not registered: the loop has no handles and closes at once. */
    uv_loop_close(&loop->loop);
    goto fail;
  }
  loop->wakeup.data = loop;
  loop->loop.data = loop;
  start_batch_handles(loop);
  return UVTCP_ADDR(loop);

fail:
  if (loop->callbacks != NULL) {
    (*env)->DeleteGlobalRef(env, loop->callbacks);
  }
  if (loop->read_buffer != NULL) {
    (*env)->DeleteGlobalRef(env, loop->read_buffer);
  }
  if (loop->read_events_buffer != NULL) {
    (*env)->DeleteGlobalRef(env, loop->read_events_buffer);
  }
  free(loop);
  return err;
}

static jint JNICALL loopRun(JNIEnv *env, jclass cls, jlong address, jint mode) {
  (void) cls;
  uvtcp_loop_t *loop = UVTCP_PTR(uvtcp_loop_t, address);
  uv_run_mode run_mode;
  switch (mode) {
    case UV_RUN_DEFAULT:
    case UV_RUN_ONCE:
    case UV_RUN_NOWAIT:
      run_mode = (uv_run_mode) mode;
      break;
    default:
      return UV_EINVAL;
  }
  JNIEnv *outer = loop->env;
  loop->env = env;
  int result = uv_run(&loop->loop, run_mode);
  loop->env = outer;
  return result;
}

static void JNICALL loopWakeup(JNIEnv *env, jclass cls, jlong address) {
  (void) env;
  (void) cls;
  uv_async_send(&UVTCP_PTR(uvtcp_loop_t, address)->wakeup);
}

static void JNICALL loopStop(JNIEnv *env, jclass cls, jlong address) {
  (void) env;
  (void) cls;
  uv_stop(&UVTCP_PTR(uvtcp_loop_t, address)->loop);
}

static void close_walk_cb(uv_handle_t *handle, void *arg) {
  uvtcp_loop_t *loop = arg;
  if (is_loop_handle(loop, handle) || uv_is_closing(handle)) {
    return;
  }
  /* Every other handle on our loops is a uvtcp handle. */
  uv_close(handle, uvtcp_handle_close_cb);
}

static void JNICALL loopCloseAll(JNIEnv *env, jclass cls, jlong address) {
  (void) env;
  (void) cls;
  uvtcp_loop_t *loop = UVTCP_PTR(uvtcp_loop_t, address);
  uv_handle_t *own[] = {(uv_handle_t *) &loop->wakeup, (uv_handle_t *) &loop->batch_check,
      (uv_handle_t *) &loop->batch_prepare};
  for (size_t i = 0; i < UVTCP_COUNT(own); i++) {
    if (!uv_is_closing(own[i])) {
      uv_close(own[i], NULL);
    }
  }
  uv_walk(&loop->loop, close_walk_cb, loop);
}

static jint JNICALL loopDelete(JNIEnv *env, jclass cls, jlong address) {
  (void) cls;
  uvtcp_loop_t *loop = UVTCP_PTR(uvtcp_loop_t, address);
  int err = uv_loop_close(&loop->loop);
  if (err != 0) {
    return err;
  }
  uvtcp_write_req_pool_drain(loop);
  (*env)->DeleteGlobalRef(env, loop->callbacks);
  (*env)->DeleteGlobalRef(env, loop->read_buffer);
  (*env)->DeleteGlobalRef(env, loop->read_events_buffer);
  free(loop);
  return 0;
}

typedef struct {
  const uv_handle_t *skip;
  int alive;
} alive_walk_t;

static void alive_walk_cb(uv_handle_t *handle, void *arg) {
  alive_walk_t *walk = arg;
  if (handle != walk->skip && uv_is_active(handle) && uv_has_ref(handle)) {
    walk->alive = 1;
  }
}

static jboolean JNICALL loopAlive(JNIEnv *env, jclass cls, jlong address) {
  (void) env;
  (void) cls;
  uvtcp_loop_t *loop = UVTCP_PTR(uvtcp_loop_t, address);
  if (loop->pending_reqs > 0) {
    return JNI_TRUE;
  }
  alive_walk_t walk = {(const uv_handle_t *) &loop->wakeup, 0};
  uv_walk(&loop->loop, alive_walk_cb, &walk);
  return walk.alive ? JNI_TRUE : JNI_FALSE;
}

static jint JNICALL loopPendingReads(JNIEnv *env, jclass cls, jlong address) {
  (void) env;
  (void) cls;
  return (jint) UVTCP_PTR(uvtcp_loop_t, address)->read_event_count;
}

static jlong JNICALL loopNow(JNIEnv *env, jclass cls, jlong address) {
  (void) env;
  (void) cls;
  return (jlong) uv_now(&UVTCP_PTR(uvtcp_loop_t, address)->loop);
}

static const JNINativeMethod methods[] = {
    {"loopNew0",
        "(Ljava/nio/ByteBuffer;Ljava/nio/ByteBuffer;Ldev/uvtcp/jni/LoopCallbacks;)J",
        (void *) loopNew},
    {"loopRun", "(JI)I", (void *) loopRun},
    {"loopWakeup", "(J)V", (void *) loopWakeup},
    {"loopStop", "(J)V", (void *) loopStop},
    {"loopCloseAll", "(J)V", (void *) loopCloseAll},
    {"loopDelete", "(J)I", (void *) loopDelete},
    {"loopAlive", "(J)Z", (void *) loopAlive},
    {"loopNow", "(J)J", (void *) loopNow},
    {"loopPendingReads", "(J)I", (void *) loopPendingReads},
};

int uvtcp_register_loop(JNIEnv *env, jclass cls) {
  return (*env)->RegisterNatives(env, cls, methods, (jint) UVTCP_COUNT(methods)) == 0 ? 0 : -1;
}
