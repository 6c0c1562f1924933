/*
 * TCP: uv_tcp_init(_ex), open, nodelay, keepalive, simultaneous accepts, bind, getsockname,
 * getpeername, connect, close_reset; socket options read back with getsockopt; plain socket
 * descriptors for uv_tcp_open, which adopts a duplicate of the caller's descriptor.
 */
#include "uvtcp.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>

#define TCP(address) UVTCP_PTR(uv_tcp_t, address)

static int domain_to_af(jint domain) {
  switch (domain) {
    case UVTCP_DOMAIN_UNSPEC:
      return AF_UNSPEC;
    case UVTCP_DOMAIN_INET:
      return AF_INET;
    case UVTCP_DOMAIN_INET6:
      return AF_INET6;
    default:
      return -1;
  }
}

/* (4 or 16 address bytes, port, scope id) -> sockaddr. Returns 0 or UV_EINVAL. */
static int to_sockaddr(JNIEnv *env, jbyteArray address, jint port, jint scope_id,
    struct sockaddr_storage *out) {
  if (address == NULL || port < 0 || port > 65535) {
    return UV_EINVAL;
  }
  memset(out, 0, sizeof *out);
  jsize length = (*env)->GetArrayLength(env, address);
  if (length == 4) {
    struct sockaddr_in *in = (struct sockaddr_in *) out;
    in->sin_family = AF_INET;
    in->sin_port = htons((uint16_t) port);
    (*env)->GetByteArrayRegion(env, address, 0, 4, (jbyte *) &in->sin_addr);
    return 0;
  }
  if (length == 16) {
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) out;
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons((uint16_t) port);
    in6->sin6_scope_id = (uint32_t) scope_id;
    (*env)->GetByteArrayRegion(env, address, 0, 16, (jbyte *) &in6->sin6_addr);
    return 0;
  }
  return UV_EINVAL;
}

/* sockaddr -> UvNative.SOCKADDR_BYTES layout in `out`. Returns 0 or a negative error. */
static int from_sockaddr(JNIEnv *env, const struct sockaddr_storage *addr, jbyteArray out) {
  if (out == NULL || (*env)->GetArrayLength(env, out) < UVTCP_SOCKADDR_BYTES) {
    return UV_EINVAL;
  }
  uint8_t bytes[UVTCP_SOCKADDR_BYTES];
  memset(bytes, 0, sizeof bytes);
  uint16_t port;
  uint32_t scope = 0;
  if (addr->ss_family == AF_INET) {
    const struct sockaddr_in *in = (const struct sockaddr_in *) addr;
    bytes[0] = 4;
    port = ntohs(in->sin_port);
    memcpy(bytes + 7, &in->sin_addr, 4);
  } else if (addr->ss_family == AF_INET6) {
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) addr;
    bytes[0] = 6;
    port = ntohs(in6->sin6_port);
    scope = in6->sin6_scope_id;
    memcpy(bytes + 7, &in6->sin6_addr, 16);
  } else {
    return UV_EAFNOSUPPORT;
  }
  bytes[1] = (uint8_t) (port >> 8);
  bytes[2] = (uint8_t) port;
  bytes[3] = (uint8_t) (scope >> 24);
  bytes[4] = (uint8_t) (scope >> 16);
  bytes[5] = (uint8_t) (scope >> 8);
  bytes[6] = (uint8_t) scope;
  (*env)->SetByteArrayRegion(env, out, 0, UVTCP_SOCKADDR_BYTES, (const jbyte *) bytes);
  return 0;
}

static void connect_cb(uv_connect_t *req, int status) {
  uv_stream_t *stream = req->handle;
  free(req);
  uvtcp_loop_of((uv_handle_t *) stream)->pending_reqs--;
  uvtcp_upcall_status((uv_handle_t *) stream, uvtcp_ids.on_connect, status);
}

static jlong JNICALL tcpInit(JNIEnv *env, jclass cls, jlong loop_address, jint domain,
    jint id) {
  (void) env;
  (void) cls;
  int af = domain_to_af(domain);
  if (af < 0) {
    return UV_EINVAL;
  }
  uvtcp_handle_t *h = calloc(1, sizeof *h);
  if (h == NULL) {
    return UV_ENOMEM;
  }
  h->id = id;
  uv_loop_t *loop = &UVTCP_PTR(uvtcp_loop_t, loop_address)->loop;
  int err = af == AF_UNSPEC ? uv_tcp_init(loop, &h->tcp)
                            : uv_tcp_init_ex(loop, &h->tcp, (unsigned int) af);
  if (err != 0) {
    free(h);
    return err;
  }
  h->tcp.data = h;
  return UVTCP_ADDR(h);
}

/*
 * 0 if `fd` is a stream socket. Anything else must never reach uv_tcp_open: epoll refuses
 * files, directories and many devices (EPERM) once reading starts, and libuv abort()s the
 * process when epoll_ctl fails. A datagram or seqpacket socket could be polled, but a TCP
 * handle's stream reads and writes do not fit it: UV_EPROTOTYPE ("protocol wrong type for
 * socket"), POSIX's error for a socket whose type does not fit the protocol.
 */
static int require_stream_socket(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) {
    return -errno;
  }
  if (!S_ISSOCK(st.st_mode)) {
    return UV_ENOTSOCK;
  }
  int type = 0;
  socklen_t length = sizeof type;
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) != 0) {
    return -errno;
  }
  return type == SOCK_STREAM ? 0 : UV_EPROTOTYPE;
}

/*
 * uv_tcp_open of a private duplicate of `fd`; the caller keeps `fd` and closes it. Adopting
 * the caller's number itself could not be made safe: between any check and uv_tcp_open,
 * another thread could close that number (e.g. another handle owning it) and a new socket
 * or file could take it, leaving two handles on one number or libuv polling a file; libuv
 * then abort()s. Nobody else can close or reuse the duplicate's number, so the checks on it
 * stay true for the handle's life.
 *
 * The duplicate shares the open file description with `fd`: the O_NONBLOCK that uv_tcp_open
 * sets, and socket options set later, show through the caller's descriptor too.
 */
static jint JNICALL tcpOpen(JNIEnv *env, jclass cls, jlong tcp, jint fd) {
  (void) env;
  (void) cls;
  if (fd < 0) {
    return UV_EBADF;
  }
  int own = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (own < 0) {
    return -errno;
  }
  int err = require_stream_socket(own);
  if (err == 0) {
    err = uv_tcp_open(TCP(tcp), (uv_os_sock_t) own);
  }
  if (err != 0) {
    close(own); /* uv_tcp_open keeps nothing on failure: the handle has no socket */
  }
  return err;
}

static jint JNICALL tcpNoDelay(JNIEnv *env, jclass cls, jlong tcp, jboolean enable) {
  (void) env;
  (void) cls;
  return uv_tcp_nodelay(TCP(tcp), enable ? 1 : 0);
}

static jint JNICALL tcpKeepAlive(JNIEnv *env, jclass cls, jlong tcp, jboolean enable,
    jint delay) {
  (void) env;
  (void) cls;
  if (delay < 0) {
    return UV_EINVAL;
  }
  return uv_tcp_keepalive(TCP(tcp), enable ? 1 : 0, (unsigned int) delay);
}

static jint JNICALL tcpSimultaneousAccepts(JNIEnv *env, jclass cls, jlong tcp,
    jboolean enable) {
  (void) env;
  (void) cls;
  return uv_tcp_simultaneous_accepts(TCP(tcp), enable ? 1 : 0);
}

static jint JNICALL tcpBind(JNIEnv *env, jclass cls, jlong tcp, jbyteArray address, jint port,
    jint scope_id, jboolean ipv6_only) {
  (void) cls;
  struct sockaddr_storage addr;
  int err = to_sockaddr(env, address, port, scope_id, &addr);
  if (err != 0) {
    return err;
  }
  return uv_tcp_bind(TCP(tcp), (const struct sockaddr *) &addr,
      ipv6_only ? UV_TCP_IPV6ONLY : 0);
}

typedef int (*name_fn)(const uv_tcp_t *, struct sockaddr *, int *);

static jint sock_name(JNIEnv *env, name_fn fn, jlong tcp, jbyteArray out) {
  struct sockaddr_storage addr;
  memset(&addr, 0, sizeof addr);
  int length = (int) sizeof addr;
  int err = fn(TCP(tcp), (struct sockaddr *) &addr, &length);
  if (err != 0) {
    return err;
  }
  return from_sockaddr(env, &addr, out);
}

static jint JNICALL tcpSockName(JNIEnv *env, jclass cls, jlong tcp, jbyteArray out) {
  (void) cls;
  return sock_name(env, uv_tcp_getsockname, tcp, out);
}

static jint JNICALL tcpPeerName(JNIEnv *env, jclass cls, jlong tcp, jbyteArray out) {
  (void) cls;
  return sock_name(env, uv_tcp_getpeername, tcp, out);
}

static jint JNICALL tcpConnect(JNIEnv *env, jclass cls, jlong tcp, jbyteArray address,
    jint port, jint scope_id) {
  (void) cls;
  struct sockaddr_storage addr;
  int err = to_sockaddr(env, address, port, scope_id, &addr);
  if (err != 0) {
    return err;
  }
  uv_connect_t *req = malloc(sizeof *req);
  if (req == NULL) {
    return UV_ENOMEM;
  }
  err = uv_tcp_connect(req, TCP(tcp), (const struct sockaddr *) &addr, connect_cb);
  if (err != 0) {
    free(req);
  } else {
    uvtcp_loop_of((uv_handle_t *) TCP(tcp))->pending_reqs++;
  }
  return err;
}

static jint JNICALL tcpCloseReset(JNIEnv *env, jclass cls, jlong tcp) {
  (void) env;
  (void) cls;
  return uv_tcp_close_reset(TCP(tcp), uvtcp_handle_close_cb);
}

static jint JNICALL tcpSocketOption(JNIEnv *env, jclass cls, jlong tcp, jint option) {
  (void) env;
  (void) cls;
  int level;
  int name;
  switch (option) {
    case UVTCP_OPTION_TCP_NODELAY:
      level = IPPROTO_TCP;
      name = TCP_NODELAY;
      break;
    case UVTCP_OPTION_SO_KEEPALIVE:
      level = SOL_SOCKET;
      name = SO_KEEPALIVE;
      break;
    case UVTCP_OPTION_TCP_KEEPIDLE:
      level = IPPROTO_TCP;
      name = TCP_KEEPIDLE;
      break;
    default:
      return UV_EINVAL;
  }
  uv_os_fd_t fd;
  int err = uv_fileno((const uv_handle_t *) TCP(tcp), &fd);
  if (err != 0) {
    return err;
  }
  int value = 0;
  socklen_t length = sizeof value;
  if (getsockopt(fd, level, name, &value, &length) != 0) {
    return -errno; /* libuv's codes are negated errno values on unix (UV__ERR) */
  }
  return value;
}

/*
 * SO_REUSEPORT on the handle's socket, which must exist (uv_tcp_init_ex with a family) and
 * not be bound yet. libuv 1.44 has no way to ask for it (UV_TCP_REUSEPORT is 1.49+).
 */
static jint JNICALL tcpReusePort(JNIEnv *env, jclass cls, jlong tcp) {
  (void) env;
  (void) cls;
  uv_os_fd_t fd;
  int err = uv_fileno((const uv_handle_t *) TCP(tcp), &fd);
  if (err != 0) {
    return err;
  }
  int one = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
    return -errno;
  }
  return 0;
}

static jint JNICALL socketNew(JNIEnv *env, jclass cls, jint domain) {
  (void) env;
  (void) cls;
  int af = domain_to_af(domain);
  if (af != AF_INET && af != AF_INET6) {
    return UV_EINVAL;
  }
  int fd = socket(af, SOCK_STREAM | SOCK_CLOEXEC, 0);
  return fd < 0 ? -errno : fd;
}

static jint JNICALL socketClose(JNIEnv *env, jclass cls, jint fd) {
  (void) env;
  (void) cls;
  return close(fd) != 0 ? -errno : 0;
}

static const JNINativeMethod methods[] = {
    {"tcpInit", "(JII)J", (void *) tcpInit},
    {"tcpOpen", "(JI)I", (void *) tcpOpen},
    {"tcpNoDelay", "(JZ)I", (void *) tcpNoDelay},
    {"tcpKeepAlive", "(JZI)I", (void *) tcpKeepAlive},
    {"tcpSimultaneousAccepts", "(JZ)I", (void *) tcpSimultaneousAccepts},
    {"tcpBind", "(J[BIIZ)I", (void *) tcpBind},
    {"tcpSockName", "(J[B)I", (void *) tcpSockName},
    {"tcpPeerName", "(J[B)I", (void *) tcpPeerName},
    {"tcpConnect", "(J[BII)I", (void *) tcpConnect},
    {"tcpCloseReset", "(J)I", (void *) tcpCloseReset},
    {"tcpSocketOption", "(JI)I", (void *) tcpSocketOption},
    {"tcpReusePort", "(J)I", (void *) tcpReusePort},
    {"socketNew", "(I)I", (void *) socketNew},
    {"socketClose", "(I)I", (void *) socketClose},
};

int uvtcp_register_tcp(JNIEnv *env, jclass cls) {
  return (*env)->RegisterNatives(env, cls, methods, (jint) UVTCP_COUNT(methods)) == 0 ? 0 : -1;
}
