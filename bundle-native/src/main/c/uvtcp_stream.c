/*
 * Streams: uv_listen/accept, uv_read_start/stop, uv_write/uv_try_write, uv_shutdown,
 * readable/writable, blocking mode, write queue size.
 */
#include "uvtcp.h"

#include <limits.h>
#include <stdlib.h>

#define STREAM(address) UVTCP_PTR(uv_stream_t, address)

/* Buffers up to this count live on the stack; more are malloc'd. */
#define STACK_BUFS 16

/* ---- write request pool (per loop) ---- */

static uvtcp_write_req_t *write_req_get(uvtcp_loop_t *loop) {
  uvtcp_write_req_t *req = loop->free_write_reqs;
  if (req != NULL) {
    loop->free_write_reqs = req->next_free;
    loop->free_write_req_count--;
    return req;
  }
  return malloc(sizeof *req);
}

static void write_req_put(uvtcp_loop_t *loop, uvtcp_write_req_t *req) {
  if (loop->free_write_req_count >= UVTCP_WRITE_REQ_POOL_MAX) {
    free(req);
    return;
  }
  req->next_free = loop->free_write_reqs;
  loop->free_write_reqs = req;
  loop->free_write_req_count++;
}

void uvtcp_write_req_pool_drain(uvtcp_loop_t *loop) {
  while (loop->free_write_reqs != NULL) {
    uvtcp_write_req_t *req = loop->free_write_reqs;
    loop->free_write_reqs = req->next_free;
    free(req);
  }
  loop->free_write_req_count = 0;
}

/* ---- callbacks: each an up-call to the loop's LoopCallbacks with the handle's id ---- */

static void connection_cb(uv_stream_t *server, int status) {
  uvtcp_upcall_status((uv_handle_t *) server, uvtcp_ids.on_connection, status);
}

/*
 * Reads are batched: each gets the free rest of the loop's read buffer and is recorded as an
 * event; the batch goes to Java in one up-call after the poll phase (uvtcp_loop.c's check
 * handle), or here, right after a read, when the buffer or the event array is nearly used up
 * or when libuv is about to read the same stream again (a read that filled its buffer), so
 * that the handler sees each read before the next one of its stream and can stop it in time.
 *
 * Never up-call from alloc_cb: libuv calls read_cb after the read without checking whether
 * the stream still reads, and a handler may stop or close any stream.
 */
static void alloc_cb(uv_handle_t *handle, size_t suggested_size, uv_buf_t *buf) {
  (void) suggested_size;
  uvtcp_loop_t *loop = uvtcp_loop_of(handle);
  /* read_cb keeps at least a quarter of the buffer and one event free. */
  buf->base = loop->read_base + loop->read_used;
  buf->len = loop->read_capacity - loop->read_used;
}

static void read_cb(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf) {
  if (nread == 0) {
    return;
  }
  uvtcp_loop_t *loop = uvtcp_loop_of((uv_handle_t *) stream);
  uvtcp_read_event_t *event = &loop->read_events[loop->read_event_count++];
  event->handle = uvtcp_id_of((uv_handle_t *) stream);
  event->offset = (int32_t) loop->read_used;
  event->nread = (int64_t) nread;
  if (nread > 0) {
    loop->read_used += (size_t) nread;
  }
  if ((nread > 0 && (size_t) nread == buf->len)
      || loop->read_event_count == loop->read_event_capacity
      || loop->read_capacity - loop->read_used < loop->read_capacity / UVTCP_READ_REST_DIVISOR) {
    uvtcp_flush_reads(loop);
  }
}

static void write_cb(uv_write_t *req, int status) {
  uvtcp_write_req_t *wreq = (uvtcp_write_req_t *) req;
  uv_stream_t *stream = req->handle;
  uvtcp_loop_t *loop = uvtcp_loop_of((uv_handle_t *) stream);
  jint request_id = wreq->request_id;
  write_req_put(loop, wreq);
  loop->pending_reqs--;
  JNIEnv *env = uvtcp_env(loop);
  if (env == NULL) {
    return;
  }
  (*env)->CallVoidMethod(env, loop->callbacks, uvtcp_ids.on_write,
      uvtcp_id_of((uv_handle_t *) stream), request_id, (jint) status);
  uvtcp_after_upcall(env);
}

static void shutdown_cb(uv_shutdown_t *req, int status) {
  uv_stream_t *stream = req->handle;
  free(req);
  uvtcp_loop_of((uv_handle_t *) stream)->pending_reqs--;
  uvtcp_upcall_status((uv_handle_t *) stream, uvtcp_ids.on_shutdown, status);
}

/* ---- natives ---- */

static jint JNICALL streamListen(JNIEnv *env, jclass cls, jlong stream, jint backlog) {
  (void) env;
  (void) cls;
  return uv_listen(STREAM(stream), backlog, connection_cb);
}

static jint JNICALL streamAccept(JNIEnv *env, jclass cls, jlong server, jlong client) {
  (void) env;
  (void) cls;
  return uv_accept(STREAM(server), STREAM(client));
}

static jint JNICALL readStart(JNIEnv *env, jclass cls, jlong stream) {
  (void) env;
  (void) cls;
  return uv_read_start(STREAM(stream), alloc_cb, read_cb);
}

static jint JNICALL readStop(JNIEnv *env, jclass cls, jlong stream) {
  (void) env;
  (void) cls;
  return uv_read_stop(STREAM(stream));
}

/*
 * The uvtcp_iov_t array Java laid out at `iov` -> uv_buf_t. *bufs is either `stack` (count
 * <= STACK_BUFS) or malloc'd, which the caller frees when it is not `stack`. Returns 0 or a
 * negative error code (nothing to free then).
 */
static int to_bufs(jlong iov, jint count, uv_buf_t *stack, uv_buf_t **bufs) {
  const uvtcp_iov_t *in = UVTCP_PTR(const uvtcp_iov_t, iov);
  if (in == NULL || count <= 0) {
    return UV_EINVAL;
  }
  uv_buf_t *out = stack;
  if (count > STACK_BUFS) {
    out = malloc((size_t) count * sizeof *out);
    if (out == NULL) {
      return UV_ENOMEM;
    }
  }
  for (jint i = 0; i < count; i++) {
    if (in[i].address == 0 || in[i].length < 0 || in[i].length > (int64_t) UINT_MAX) {
      if (out != stack) {
        free(out);
      }
      return UV_EINVAL;
    }
    out[i] = uv_buf_init(UVTCP_PTR(char, in[i].address), (unsigned int) in[i].length);
  }
  *bufs = out;
  return 0;
}

/*
 * uv_try_write (optionally) then uv_write of the rest. bufs may be modified (advanced past
 * what was written); libuv copies the array it is given, so it may live on the stack.
 */
static jint do_write(uv_stream_t *stream, jint request_id, uv_buf_t *bufs, unsigned int nbufs,
    jboolean try_first) {
  if (try_first) {
    int written = uv_try_write(stream, bufs, nbufs);
    if (written == UV_EAGAIN) {
      written = 0;
    } else if (written < 0) {
      return written;
    }
    size_t left = (size_t) written;
    while (nbufs > 0 && left >= bufs[0].len) {
      left -= bufs[0].len;
      bufs++;
      nbufs--;
    }
    if (nbufs == 0) {
      return UVTCP_WRITE_DONE;
    }
    bufs[0].base += left;
    bufs[0].len -= left;
  }
  uvtcp_loop_t *loop = uvtcp_loop_of((uv_handle_t *) stream);
  uvtcp_write_req_t *req = write_req_get(loop);
  if (req == NULL) {
    return UV_ENOMEM;
  }
  req->request_id = request_id;
  int err = uv_write(&req->req, stream, bufs, nbufs, write_cb);
  if (err != 0) {
    write_req_put(loop, req);
    return err;
  }
  loop->pending_reqs++;
  return UVTCP_WRITE_QUEUED;
}

static jint JNICALL streamWrite(JNIEnv *env, jclass cls, jlong stream, jint request_id,
    jlong iov, jint count, jboolean try_first) {
  (void) env;
  (void) cls;
  uv_buf_t stack[STACK_BUFS];
  uv_buf_t *bufs = NULL;
  int err = to_bufs(iov, count, stack, &bufs);
  if (err != 0) {
    return err;
  }
  jint result = do_write(STREAM(stream), request_id, bufs, (unsigned int) count, try_first);
  if (bufs != stack) {
    free(bufs);
  }
  return result;
}

static jint JNICALL streamTryWrite(JNIEnv *env, jclass cls, jlong stream, jlong iov,
    jint count) {
  (void) env;
  (void) cls;
  uv_buf_t stack[STACK_BUFS];
  uv_buf_t *bufs = NULL;
  int err = to_bufs(iov, count, stack, &bufs);
  if (err != 0) {
    return err;
  }
  jint result = uv_try_write(STREAM(stream), bufs, (unsigned int) count);
  if (bufs != stack) {
    free(bufs);
  }
  return result;
}

/* uv_try_write of one region: the hot path of an echo, with nothing to lay out. */
static jint JNICALL streamTryWrite1(JNIEnv *env, jclass cls, jlong stream, jlong address,
    jint length) {
  (void) env;
  (void) cls;
  if (address == 0 || length < 0) {
    return UV_EINVAL;
  }
  uv_buf_t buf = uv_buf_init(UVTCP_PTR(char, address), (unsigned int) length);
  return uv_try_write(STREAM(stream), &buf, 1);
}

/* The address of a direct buffer's memory, or 0 if it has none (a heap buffer). */
static jlong JNICALL bufferAddress(JNIEnv *env, jclass cls, jobject buffer) {
  (void) cls;
  if (buffer == NULL) {
    return 0;
  }
  return UVTCP_ADDR((*env)->GetDirectBufferAddress(env, buffer));
}

static jint JNICALL streamShutdown(JNIEnv *env, jclass cls, jlong stream) {
  (void) env;
  (void) cls;
  uv_shutdown_t *req = malloc(sizeof *req);
  if (req == NULL) {
    return UV_ENOMEM;
  }
  int err = uv_shutdown(req, STREAM(stream), shutdown_cb);
  if (err != 0) {
    free(req);
  } else {
    uvtcp_loop_of((uv_handle_t *) STREAM(stream))->pending_reqs++;
  }
  return err;
}

static jboolean JNICALL isReadable(JNIEnv *env, jclass cls, jlong stream) {
  (void) env;
  (void) cls;
  return uv_is_readable(STREAM(stream)) ? JNI_TRUE : JNI_FALSE;
}

static jboolean JNICALL isWritable(JNIEnv *env, jclass cls, jlong stream) {
  (void) env;
  (void) cls;
  return uv_is_writable(STREAM(stream)) ? JNI_TRUE : JNI_FALSE;
}

static jint JNICALL setBlocking(JNIEnv *env, jclass cls, jlong stream, jboolean blocking) {
  (void) env;
  (void) cls;
  return uv_stream_set_blocking(STREAM(stream), blocking ? 1 : 0);
}

static jlong JNICALL writeQueueSize(JNIEnv *env, jclass cls, jlong stream) {
  (void) env;
  (void) cls;
  return (jlong) uv_stream_get_write_queue_size(STREAM(stream));
}

static const JNINativeMethod methods[] = {
    {"listen", "(JI)I", (void *) streamListen},
    {"accept", "(JJ)I", (void *) streamAccept},
    {"readStart", "(J)I", (void *) readStart},
    {"readStop", "(J)I", (void *) readStop},
    {"write", "(JIJIZ)I", (void *) streamWrite},
    {"tryWrite", "(JJI)I", (void *) streamTryWrite},
    {"tryWrite1", "(JJI)I", (void *) streamTryWrite1},
    {"bufferAddress", "(Ljava/nio/ByteBuffer;)J", (void *) bufferAddress},
    {"shutdown", "(J)I", (void *) streamShutdown},
    {"isReadable", "(J)Z", (void *) isReadable},
    {"isWritable", "(J)Z", (void *) isWritable},
    {"setBlocking", "(JZ)I", (void *) setBlocking},
    {"writeQueueSize", "(J)J", (void *) writeQueueSize},
};

int uvtcp_register_stream(JNIEnv *env, jclass cls) {
  return (*env)->RegisterNatives(env, cls, methods, (jint) UVTCP_COUNT(methods)) == 0 ? 0 : -1;
}
