/*
 * uvtcp: private header of the JNI glue between dev.uvtcp.jni.UvNative and libuv.
 *
 * One C file per libuv concept (loop, handle, stream, tcp, errors) plus uvtcp_jni.c, which
 * holds JNI_OnLoad/JNI_OnUnload, the cached JNI ids and small helpers. Every file includes
 * this header first.
 */
#ifndef UVTCP_H
#define UVTCP_H

/* POSIX/GNU declarations (sockets, TCP_KEEPIDLE, pthread types used by uv.h) under -std=c11. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <stddef.h>
#include <stdint.h>

#include <jni.h>
#include <uv.h>

/* jlong address <-> pointer. */
#define UVTCP_PTR(type, address) ((type *) (intptr_t) (address))
#define UVTCP_ADDR(pointer) ((jlong) (intptr_t) (pointer))

#define UVTCP_COUNT(array) (sizeof(array) / sizeof((array)[0]))

/* Java class names (JNI form). */
#define UVTCP_NATIVE_CLASS "dev/uvtcp/jni/UvNative"
#define UVTCP_HANDLE_CALLBACKS_CLASS "dev/uvtcp/jni/HandleCallbacks"
#define UVTCP_LOOP_CALLBACKS_CLASS "dev/uvtcp/jni/LoopCallbacks"

/* Values of UvNative's constants. */
#define UVTCP_DOMAIN_UNSPEC 0
#define UVTCP_DOMAIN_INET 4
#define UVTCP_DOMAIN_INET6 6
#define UVTCP_WRITE_DONE 1
#define UVTCP_WRITE_QUEUED 0
#define UVTCP_OPTION_TCP_NODELAY 1
#define UVTCP_OPTION_SO_KEEPALIVE 2
#define UVTCP_OPTION_TCP_KEEPIDLE 3
#define UVTCP_SOCKADDR_BYTES 23

/* Write requests kept for reuse per loop, at most. */
#define UVTCP_WRITE_REQ_POOL_MAX 64

/* A write request: libuv's request plus the id Java gave it. */
typedef struct uvtcp_write_req {
  uv_write_t req;
  jint request_id;
  struct uvtcp_write_req *next_free; /* link in the loop's pool while unused */
} uvtcp_write_req_t;

/*
 * A loop. The uv_loop_t is the first member, so a uv_loop_t* of one of our handles is also a
 * uvtcp_loop_t*.
 */
typedef struct uvtcp_loop {
  uv_loop_t loop;
  uv_async_t wakeup;          /* its callback calls LoopCallbacks.onWakeup */
  JNIEnv *env;                /* set while inside loopRun: callbacks only happen there */
  jobject callbacks;          /* global ref: LoopCallbacks */
  jobject read_buffer;        /* global ref: the direct ByteBuffer behind read_base */
  char *read_base;            /* handed out by every alloc callback */
  size_t read_capacity;
  uvtcp_write_req_t *free_write_reqs;
  unsigned free_write_req_count;
} uvtcp_loop_t;

/* A TCP handle. The uv_tcp_t is the first member; tcp.data points at the struct. */
typedef struct uvtcp_handle {
  uv_tcp_t tcp;
  jobject callbacks; /* global ref: HandleCallbacks, deleted after onClose */
} uvtcp_handle_t;

/* Method ids cached in JNI_OnLoad (uvtcp_jni.c). */
typedef struct uvtcp_ids {
  jmethodID on_read;       /* HandleCallbacks.onRead(J)V */
  jmethodID on_write;      /* HandleCallbacks.onWrite(II)V */
  jmethodID on_connect;    /* HandleCallbacks.onConnect(I)V */
  jmethodID on_shutdown;   /* HandleCallbacks.onShutdown(I)V */
  jmethodID on_connection; /* HandleCallbacks.onConnection(I)V */
  jmethodID on_close;      /* HandleCallbacks.onClose()V */
  jmethodID on_wakeup;     /* LoopCallbacks.onWakeup()V */
} uvtcp_ids_t;

extern uvtcp_ids_t uvtcp_ids;

/* ---- uvtcp_jni.c: helpers ---- */

/* The JNIEnv for an up-call on this loop's thread (the one loopRun stored). */
JNIEnv *uvtcp_env(uvtcp_loop_t *loop);

/* After an up-call: report and clear an exception that escaped Java (a safety net). */
void uvtcp_after_upcall(JNIEnv *env);

/* The uvtcp loop a handle belongs to. */
static inline uvtcp_loop_t *uvtcp_loop_of(const uv_handle_t *handle) {
  return (uvtcp_loop_t *) handle->loop;
}

/* ---- per-file registration of natives (called from JNI_OnLoad) ---- */

int uvtcp_register_errors(JNIEnv *env, jclass cls);
int uvtcp_register_loop(JNIEnv *env, jclass cls);
int uvtcp_register_handle(JNIEnv *env, jclass cls);
int uvtcp_register_stream(JNIEnv *env, jclass cls);
int uvtcp_register_tcp(JNIEnv *env, jclass cls);

/* ---- uvtcp_handle.c ---- */

/* The close callback of every uvtcp handle: onClose, drop the global ref, free. */
void uvtcp_handle_close_cb(uv_handle_t *handle);

/* ---- uvtcp_stream.c ---- */

/* Frees the loop's pool of unused write requests (loop teardown). */
void uvtcp_write_req_pool_drain(uvtcp_loop_t *loop);

#endif /* UVTCP_H */
