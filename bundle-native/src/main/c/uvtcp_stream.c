/*
 * Streams: uv_listen/accept, uv_read_start/stop, uv_write/uv_try_write, uv_shutdown,
 * readable/writable, blocking mode, write queue size.
 */
#include "uvtcp.h"

#include <stdlib.h>

#define STREAM(address) UVTCP_PTR(uv_stream_t, address)

/* Buffers up to this count live on the stack; more are malloc'd. */
#define STACK_BUFS 16

static inline uvtcp_handle_t *handle_of(uv_stream_t *stream) {
  return stream->data;
}

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

/* ---- callbacks ---- */

static void connection_cb(uv_stream_t *server, int status) {
  JNIEnv *env = uvtcp_env(uvtcp_loop_of((uv_handle_t *) server));
  if (env == NULL) {
    return;
  }
  (*env)->CallVoidMethod(env, handle_of(server)->callbacks, uvtcp_ids.on_connection,
      (jint) status);
  uvtcp_after_upcall(env);
}

static void alloc_cb(uv_handle_t *handle, size_t suggested_size, uv_buf_t *buf) {
  (void) suggested_size;
  uvtcp_loop_t *loop = uvtcp_loop_of(handle);
  buf->base = loop->read_base;
  buf->len = loop->read_capacity;
}

static void read_cb(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf) {
  (void) buf;
  if (nread == 0) {
    return;
  }
  JNIEnv *env = uvtcp_env(uvtcp_loop_of((uv_handle_t *) stream));
  if (env == NULL) {
    return;
  }
  (*env)->CallVoidMethod(env, handle_of(stream)->callbacks, uvtcp_ids.on_read, (jlong) nread);
  uvtcp_after_upcall(env);
}

static void write_cb(uv_write_t *req, int status) {
  uvtcp_write_req_t *wreq = (uvtcp_write_req_t *) req;
  uv_stream_t *stream = req->handle;
  uvtcp_loop_t *loop = uvtcp_loop_of((uv_handle_t *) stream);
  jint request_id = wreq->request_id;
  write_req_put(loop, wreq);
  JNIEnv *env = uvtcp_env(loop);
  if (env == NULL) {
    return;
  }
  (*env)->CallVoidMethod(env, handle_of(stream)->callbacks, uvtcp_ids.on_write, request_id,
      (jint) status);
  uvtcp_after_upcall(env);
}

static void shutdown_cb(uv_shutdown_t *req, int status) {
  uv_stream_t *stream = req->handle;
  free(req);
  JNIEnv *env = uvtcp_env(uvtcp_loop_of((uv_handle_t *) stream));
  if (env == NULL) {
    return;
  }
  (*env)->CallVoidMethod(env, handle_of(stream)->callbacks, uvtcp_ids.on_shutdown,
      (jint) status);
  uvtcp_after_upcall(env);
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

/* One Java buffer region -> uv_buf_t. Returns 0 or UV_EINVAL. */
static int to_buf(JNIEnv *env, jobject buffer, jint position, jint length, uv_buf_t *out) {
  if (buffer == NULL || position < 0 || length < 0) {
    return UV_EINVAL;
  }
  char *base = (*env)->GetDirectBufferAddress(env, buffer);
  if (base == NULL) {
    return UV_EINVAL;
  }
  jlong capacity = (*env)->GetDirectBufferCapacity(env, buffer);
  if ((jlong) position + (jlong) length > capacity) {
    return UV_EINVAL;
  }
  *out = uv_buf_init(base + position, (unsigned int) length);
  return 0;
}

/*
 * Converts (buffers, positions, lengths, count) into uv_buf_t. *bufs is either `stack` (count
 * <= STACK_BUFS) or malloc'd, which the caller frees when it is not `stack`. Returns 0 or a
 * negative error code (nothing to free then).
 */
static int to_bufs(JNIEnv *env, jobjectArray buffers, jintArray positions, jintArray lengths,
    jint count, uv_buf_t *stack, uv_buf_t **bufs) {
  if (buffers == NULL || positions == NULL || lengths == NULL || count <= 0
      || (*env)->GetArrayLength(env, buffers) < count
      || (*env)->GetArrayLength(env, positions) < count
      || (*env)->GetArrayLength(env, lengths) < count) {
    return UV_EINVAL;
  }
  jint stack_ints[2 * STACK_BUFS];
  jint *ints = stack_ints;
  uv_buf_t *out = stack;
  if (count > STACK_BUFS) {
    ints = malloc(2 * (size_t) count * sizeof *ints);
    out = malloc((size_t) count * sizeof *out);
    if (ints == NULL || out == NULL) {
      free(ints);
      free(out);
      return UV_ENOMEM;
    }
  }
  jint *pos = ints;
  jint *len = ints + count;
  (*env)->GetIntArrayRegion(env, positions, 0, count, pos);
  (*env)->GetIntArrayRegion(env, lengths, 0, count, len);
  int err = 0;
  for (jint i = 0; i < count && err == 0; i++) {
    jobject buffer = (*env)->GetObjectArrayElement(env, buffers, i);
    err = to_buf(env, buffer, pos[i], len[i], &out[i]);
    (*env)->DeleteLocalRef(env, buffer);
  }
  if (ints != stack_ints) {
    free(ints);
  }
  if (err != 0) {
    if (out != stack) {
      free(out);
    }
    return err;
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
  return UVTCP_WRITE_QUEUED;
}

static jint JNICALL streamWrite(JNIEnv *env, jclass cls, jlong stream, jint request_id,
    jobjectArray buffers, jintArray positions, jintArray lengths, jint count,
    jboolean try_first) {
  (void) cls;
  uv_buf_t stack[STACK_BUFS];
  uv_buf_t *bufs = NULL;
  int err = to_bufs(env, buffers, positions, lengths, count, stack, &bufs);
  if (err != 0) {
    return err;
  }
  jint result = do_write(STREAM(stream), request_id, bufs, (unsigned int) count, try_first);
  if (bufs != stack) {
    free(bufs);
  }
  return result;
}

static jint JNICALL streamWrite1(JNIEnv *env, jclass cls, jlong stream, jint request_id,
    jobject buffer, jint position, jint length, jboolean try_first) {
  (void) cls;
  uv_buf_t buf;
  int err = to_buf(env, buffer, position, length, &buf);
  if (err != 0) {
    return err;
  }
  return do_write(STREAM(stream), request_id, &buf, 1, try_first);
}

static jint JNICALL streamTryWrite(JNIEnv *env, jclass cls, jlong stream,
    jobjectArray buffers, jintArray positions, jintArray lengths, jint count) {
  (void) cls;
  uv_buf_t stack[STACK_BUFS];
  uv_buf_t *bufs = NULL;
  int err = to_bufs(env, buffers, positions, lengths, count, stack, &bufs);
  if (err != 0) {
    return err;
  }
  jint result = uv_try_write(STREAM(stream), bufs, (unsigned int) count);
  if (bufs != stack) {
    free(bufs);
  }
  return result;
}

static jint JNICALL streamTryWrite1(JNIEnv *env, jclass cls, jlong stream, jobject buffer,
    jint position, jint length) {
  (void) cls;
  uv_buf_t buf;
  int err = to_buf(env, buffer, position, length, &buf);
  if (err != 0) {
    return err;
  }
  return uv_try_write(STREAM(stream), &buf, 1);
}

/* uv_try_write from the loop's own read buffer: no JNI object access at all. */
static jint JNICALL streamTryWriteReadBuffer(JNIEnv *env, jclass cls, jlong stream,
    jint position, jint length) {
  (void) env;
  (void) cls;
  uv_stream_t *s = STREAM(stream);
  uvtcp_loop_t *loop = uvtcp_loop_of((uv_handle_t *) s);
  if (position < 0 || length < 0
      || (size_t) position + (size_t) length > loop->read_capacity) {
    return UV_EINVAL;
  }
  uv_buf_t buf = uv_buf_init(loop->read_base + position, (unsigned int) length);
  return uv_try_write(s, &buf, 1);
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
    {"write", "(JI[Ljava/nio/ByteBuffer;[I[IIZ)I", (void *) streamWrite},
    {"write1", "(JILjava/nio/ByteBuffer;IIZ)I", (void *) streamWrite1},
    {"tryWrite", "(J[Ljava/nio/ByteBuffer;[I[II)I", (void *) streamTryWrite},
    {"tryWrite1", "(JLjava/nio/ByteBuffer;II)I", (void *) streamTryWrite1},
    {"tryWriteReadBuffer", "(JII)I", (void *) streamTryWriteReadBuffer},
    {"shutdown", "(J)I", (void *) streamShutdown},
    {"isReadable", "(J)Z", (void *) isReadable},
    {"isWritable", "(J)Z", (void *) isWritable},
    {"setBlocking", "(JZ)I", (void *) setBlocking},
    {"writeQueueSize", "(J)J", (void *) writeQueueSize},
};

int uvtcp_register_stream(JNIEnv *env, jclass cls) {
  return (*env)->RegisterNatives(env, cls, methods, (jint) UVTCP_COUNT(methods)) == 0 ? 0 : -1;
}
