/*
 * uvtcp: private header of the JNI glue between dev.uvtcp.jni.UvNative and libuv.
 *
 * One C file per libuv concept (loop, handle, stream, tcp, errors); uvtcp_upcall.c, the
 * helpers they share (the cached up-call method ids, the JNIEnv of a loop); and uvtcp_jni.c,
 * the root: JNI_OnLoad/JNI_OnUnload, which register every file's natives. Dependencies go one
 * way: the root uses everything and nothing uses it; the concept files use the helpers, and
 * of each other only what libuv's own layering has them use (loop teardown drains stream's
 * write request pool and closes handles with handle's close callback; tcp closes with it too);
 * the helpers use nothing. bundle-service's LayeringTest checks this and the README shows it.
 * Every file includes this header first.
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

/* A read batch is delivered early when less than capacity / this of the read buffer is free. */
#define UVTCP_READ_REST_DIVISOR 4
#define UVTCP_READ_EVENT_BYTES 16

/* Write requests kept for reuse per loop, at most. */
#define UVTCP_WRITE_REQ_POOL_MAX 64

/* A write request: libuv's request plus the id Java gave it. */
typedef struct uvtcp_write_req {
  uv_write_t req;
  jint request_id;
  struct uvtcp_write_req *next_free; /* link in the loop's pool while unused */
} uvtcp_write_req_t;

/*
 * One buffer of a write as Java lays it out in direct memory: the address and the length of
 * the bytes, two native-order 64-bit values (UvNative.IOV_BYTES each).
 */
typedef struct uvtcp_iov {
  int64_t address;
  int64_t length;
} uvtcp_iov_t;

/*
 * One read of a poll phase, as Java reads it in the loop's read event buffer (UvNative's
 * READ_EVENT_BYTES each, native order): the handle's id, where the bytes start in the read
 * buffer, and libuv's nread (bytes, or a negative error code).
 */
typedef struct uvtcp_read_event {
  int32_t handle;
  int32_t offset;
  int64_t nread;
} uvtcp_read_event_t;

_Static_assert(sizeof(uvtcp_read_event_t) == UVTCP_READ_EVENT_BYTES,
    "a read event is laid out as LoopCallbacks reads it");

/*
 * A loop. The uv_loop_t is the first member, so a uv_loop_t* of one of our handles is also a
 * uvtcp_loop_t*.
 */
typedef struct uvtcp_loop {
  uv_loop_t loop;
  uv_async_t wakeup;          /* its callback calls LoopCallbacks.onWakeup */
  JNIEnv *env;                /* set while inside loopRun: callbacks only happen there */
  jobject callbacks;          /* global ref: LoopCallbacks, the target of every up-call */
  jobject read_buffer;        /* global ref: the direct ByteBuffer behind read_base */
  char *read_base;            /* reads of one batch are laid out one after the other here */
  size_t read_capacity;
  size_t read_used;           /* bytes of read_base the batched reads hold */
  jobject read_events_buffer; /* global ref: the direct ByteBuffer behind read_events */
  uvtcp_read_event_t *read_events; /* the reads not yet delivered to Java, in libuv's order */
  unsigned read_event_capacity;
  unsigned read_event_count;
  uv_check_t batch_check;     /* delivers the batch after each poll phase */
  uv_prepare_t batch_prepare; /* ... and before each (reads outside the poll phase) */
  uvtcp_write_req_t *free_write_reqs;
  unsigned free_write_req_count;
  unsigned pending_reqs;      /* connect, write and shutdown requests libuv has not called back */
} uvtcp_loop_t;

/*
 * A TCP handle. The uv_tcp_t is the first member; tcp.data points at the struct. The handle
 * is known to Java by its id in its loop's handle table: no JNI reference per handle.
 */
typedef struct uvtcp_handle {
  uv_tcp_t tcp;
  jint id;
} uvtcp_handle_t;

/* Method ids of LoopCallbacks, cached in JNI_OnLoad (uvtcp_upcall.c). */
typedef struct uvtcp_ids {
  jmethodID on_wakeup;     /* onWakeup()V */
  jmethodID on_reads;      /* onReads(I)V */
  jmethodID on_write;      /* onWrite(III)V */
  jmethodID on_connect;    /* onConnect(II)V */
  jmethodID on_shutdown;   /* onShutdown(II)V */
  jmethodID on_connection; /* onConnection(II)V */
  jmethodID on_close;      /* onClose(I)V */
} uvtcp_ids_t;

extern uvtcp_ids_t uvtcp_ids;

/* ---- uvtcp_upcall.c: what the other files share ---- */

/* Caches the up-call method ids and remembers the VM; 0, or -1 with a Java error pending. */
int uvtcp_upcall_init(JavaVM *vm, JNIEnv *env);

/* Forgets what uvtcp_upcall_init cached. */
void uvtcp_upcall_forget(void);

/* The JNIEnv for an up-call on this loop's thread (the one loopRun stored). */
JNIEnv *uvtcp_env(uvtcp_loop_t *loop);

/*
 * Delivers the batched reads to Java in one up-call (onReads) and starts a new batch. Only
 * where libuv's state matches what Java has been told: between loop phases, in read_cb, or
 * before a close callback. Not inside another callback: libuv changes a handle's state before
 * it calls back (a shutdown is no longer pending when shutdown_cb runs), and Java code run
 * before that event is delivered would act on state it has not heard of.
 */
void uvtcp_flush_reads(uvtcp_loop_t *loop);

/* After an up-call: report and clear an exception that escaped Java (a safety net). */
void uvtcp_after_upcall(JNIEnv *env);

/* The uvtcp loop a handle belongs to. */
static inline uvtcp_loop_t *uvtcp_loop_of(const uv_handle_t *handle) {
  return (uvtcp_loop_t *) handle->loop;
}

/* The id Java gave a uvtcp handle. */
static inline jint uvtcp_id_of(const uv_handle_t *handle) {
  return ((const uvtcp_handle_t *) handle->data)->id;
}

/* An up-call "method(handle id, status)" to the handle's loop (connect, shutdown, ...). */
void uvtcp_upcall_status(uv_handle_t *handle, jmethodID method, int status);

/* ---- per-file registration of natives (called from JNI_OnLoad) ---- */

int uvtcp_register_errors(JNIEnv *env, jclass cls);
int uvtcp_register_loop(JNIEnv *env, jclass cls);
int uvtcp_register_handle(JNIEnv *env, jclass cls);
int uvtcp_register_stream(JNIEnv *env, jclass cls);
int uvtcp_register_tcp(JNIEnv *env, jclass cls);

/* ---- uvtcp_handle.c ---- */

/* The close callback of every uvtcp handle: onClose(id), then free. */
void uvtcp_handle_close_cb(uv_handle_t *handle);

/* ---- uvtcp_stream.c ---- */

/* Frees the loop's pool of unused write requests (loop teardown). */
void uvtcp_write_req_pool_drain(uvtcp_loop_t *loop);

#endif /* UVTCP_H */
