/*
 * uvtcp bench: echo server in C on libuv, written the way libuv is fastest.
 *
 *   echo_uv PORT
 *
 * One reused read buffer for every connection of the loop; on read, uv_try_write first and a
 * uv_write (of a malloc'd copy of what is left) only for the rest; TCP_NODELAY on accepted
 * connections. Listens on 127.0.0.1:PORT, prints "READY" once listening, runs until killed.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#define READ_BUFFER_SIZE (64 * 1024)

static char read_buffer[READ_BUFFER_SIZE];

typedef struct {
  uv_write_t req;
  uv_buf_t buf;
} write_req_t;

static void alloc_cb(uv_handle_t *handle, size_t suggested, uv_buf_t *buf) {
  (void) handle;
  (void) suggested;
  buf->base = read_buffer;
  buf->len = sizeof read_buffer;
}

static void close_cb(uv_handle_t *handle) { free(handle); }

static void write_cb(uv_write_t *req, int status) {
  write_req_t *wr = (write_req_t *) req;
  if (status < 0 && !uv_is_closing((uv_handle_t *) req->handle)) {
    uv_close((uv_handle_t *) req->handle, close_cb);
  }
  free(wr->buf.base);
  free(wr);
}

static void read_cb(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf) {
  if (nread < 0) {
    uv_close((uv_handle_t *) stream, close_cb);
    return;
  }
  if (nread == 0) {
    return;
  }
  uv_buf_t out = uv_buf_init(buf->base, (unsigned int) nread);
  int written = uv_try_write(stream, &out, 1);
  if (written == nread) {
    return;
  }
  if (written == UV_EAGAIN) {
    written = 0;
  } else if (written < 0) {
    uv_close((uv_handle_t *) stream, close_cb);
    return;
  }
  size_t left = (size_t) nread - (size_t) written;
  write_req_t *wr = malloc(sizeof *wr);
  char *copy = malloc(left);
  if (wr == NULL || copy == NULL) {
    abort();
  }
  memcpy(copy, buf->base + written, left);
  wr->buf = uv_buf_init(copy, (unsigned int) left);
  if (uv_write(&wr->req, stream, &wr->buf, 1, write_cb) != 0) {
    free(copy);
    free(wr);
    uv_close((uv_handle_t *) stream, close_cb);
  }
}

static void connection_cb(uv_stream_t *server, int status) {
  if (status < 0) {
    return;
  }
  uv_tcp_t *client = malloc(sizeof *client);
  if (client == NULL) {
    abort();
  }
  uv_tcp_init(server->loop, client);
  if (uv_accept(server, (uv_stream_t *) client) != 0) {
    uv_close((uv_handle_t *) client, close_cb);
    return;
  }
  uv_tcp_nodelay(client, 1);
  uv_read_start((uv_stream_t *) client, alloc_cb, read_cb);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: echo_uv PORT\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  uv_loop_t *loop = uv_default_loop();
  uv_tcp_t server;
  struct sockaddr_in addr;
  uv_ip4_addr("127.0.0.1", atoi(argv[1]), &addr);
  uv_tcp_init(loop, &server);
  int err = uv_tcp_bind(&server, (const struct sockaddr *) &addr, 0);
  if (err == 0) {
    err = uv_listen((uv_stream_t *) &server, 4096, connection_cb);
  }
  if (err != 0) {
    fprintf(stderr, "echo_uv: listen: %s\n", uv_strerror(err));
    return 1;
  }
  printf("READY libuv %s\n", uv_version_string());
  fflush(stdout);
  return uv_run(loop, UV_RUN_DEFAULT);
}
