/*
 * byte_exact_client: a client that is not uvtcp (plain sockets, epoll, one thread) for
 * ByteExactStressTest. It pumps the test's byte pattern to an echo server on 127.0.0.1 and
 * checks every byte that comes back; before that it can hold idle connections and run
 * ping-pong connections that it resets while the server still has writes queued for them,
 * as the outside benchmark of issue 10 did.
 *
 *   byte_exact_client --port=P --salt=S [--conns=N] [--bytes=B] [--write-size=W]
 *                     [--window=BYTES] [--idle=N] [--pingpong=N] [--pp-rounds=R]
 *                     [--pp-blast=BYTES] [--seconds=T]
 *
 *   --conns, --bytes    N pumping connections, each sending and checking B bytes (then
 *                       shutting down its sending side and reading to EOF)
 *   --write-size        bytes per write() (65536 by default)
 *   --window            at most this many bytes sent and not yet echoed per connection;
 *                       0: no limit (write whenever the socket takes it)
 *   --idle              connections opened first, each echoing one byte, held to the end
 *   --pingpong          connections doing --pp-rounds round trips of 64 bytes, then writing
 *                       --pp-blast bytes without reading (a 4 KiB receive buffer, so the
 *                       server's echo queues) and closing with a reset (SO_LINGER 0)
 *   --seconds           the whole run's limit (exit 2 when exceeded)
 *
 * Byte p of a connection's stream is byte p % 8 (little-endian) of
 * mix(seed + (p / 8) * GOLDEN), seed = mix(salt * GOLDEN + local port): BytePattern.java.
 *
 * Output (stdout), one line each:
 *   idle N | pingpong N rounds R reset | conn I port P sent S received R crc32c HEX
 *   MISMATCH conn I port P offset O expected HEX actual HEX (32 bytes each), then
 *     found-at OFFSET shift +-N (where the actual bytes belong in this stream: bytes lost
 *     or repeated) or not-found-nearby (garbage)
 *   SHORT conn I port P received R of S
 *   RESULT ok | RESULT failed
 * Exit status: 0 all bytes echoed exactly, 1 a mismatch or short stream, 2 error or timeout.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define GOLDEN 0x9E3779B97F4A7C15ull
#define EVIDENCE 32

static uint64_t mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static unsigned char pattern_at(uint64_t seed, uint64_t position) {
  return (unsigned char) (mix(seed + (position >> 3) * GOLDEN) >> ((position & 7) * 8));
}

static void pattern_fill(uint64_t seed, uint64_t position, unsigned char *dst, size_t n) {
  size_t i = 0;
  for (; i < n && ((position + i) & 7) != 0; i++) {
    dst[i] = pattern_at(seed, position + i);
  }
  for (; i + 8 <= n; i += 8) {
    uint64_t w = mix(seed + ((position + i) >> 3) * GOLDEN);
    for (int b = 0; b < 8; b++) {
      dst[i + (size_t) b] = (unsigned char) (w >> (8 * b));
    }
  }
  for (; i < n; i++) {
    dst[i] = pattern_at(seed, position + i);
  }
}

static uint32_t crc_table[256];

static void crc_init(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) {
      c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    }
    crc_table[i] = c;
  }
}

static uint32_t crc_update(uint32_t crc, const unsigned char *p, size_t n) {
  crc = ~crc;
  while (n--) {
    crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
  }
  return ~crc;
}

typedef struct {
  int fd;
  int port;
  uint64_t seed;
  uint64_t sent;
  uint64_t received;
  uint32_t crc;
  int shut;   /* SHUT_WR done */
  int done;   /* EOF read (or failed) */
  int want_out;
} pump_t;

static int port = 0, conns = 0, idle = 0, pingpong = 0, pp_rounds = 10;
static uint64_t bytes = 0, window_bytes = 512 * 1024, pp_blast = 0;
static size_t write_size = 65536;
static int64_t salt = 0;
static double seconds = 60;
static double started;
static struct sockaddr_in server;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static void fail(const char *what) {
  printf("ERROR %s: %s\nRESULT failed\n", what, strerror(errno));
  fflush(stdout);
  exit(2);
}

static void check_time(const char *phase) {
  if (now_s() - started > seconds) {
    printf("ERROR timeout after %.0f s in %s\nRESULT failed\n", seconds, phase);
    fflush(stdout);
    exit(2);
  }
}

static int connect_to(int rcvbuf) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    fail("socket");
  }
  if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) != 0) {
    fail("SO_RCVBUF");
  }
  if (connect(fd, (struct sockaddr *) &server, sizeof server) != 0) {
    fail("connect");
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct timeval tv = {10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  return fd;
}

static int local_port(int fd) {
  struct sockaddr_in a;
  socklen_t len = sizeof a;
  if (getsockname(fd, (struct sockaddr *) &a, &len) != 0) {
    fail("getsockname");
  }
  return ntohs(a.sin_port);
}

static void read_exactly(int fd, unsigned char *buf, size_t n, const char *what) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, buf + got, n - got);
    if (r <= 0) {
      fail(what);
    }
    got += (size_t) r;
  }
}

static void write_all(int fd, const unsigned char *buf, size_t n, const char *what) {
  size_t put = 0;
  while (put < n) {
    ssize_t w = write(fd, buf + put, n - put);
    if (w <= 0) {
      fail(what);
    }
    put += (size_t) w;
  }
}

static int *open_idle(void) {
  int *fds = calloc((size_t) (idle > 0 ? idle : 1), sizeof *fds);
  unsigned char b = 'i';
  for (int i = 0; i < idle; i++) {
    fds[i] = connect_to(0);
    write_all(fds[i], &b, 1, "idle write");
    read_exactly(fds[i], &b, 1, "idle read");
    check_time("idle");
  }
  printf("idle %d\n", idle);
  return fds;
}

static void run_pingpong(void) {
  int *fds = calloc((size_t) (pingpong > 0 ? pingpong : 1), sizeof *fds);
  unsigned char out[64], in[64];
  for (int i = 0; i < pingpong; i++) {
    fds[i] = connect_to(4096);
  }
  for (int r = 0; r < pp_rounds; r++) {
    for (int i = 0; i < pingpong; i++) {
      pattern_fill((uint64_t) i, (uint64_t) r * 64, out, sizeof out);
      write_all(fds[i], out, sizeof out, "ping write");
    }
    for (int i = 0; i < pingpong; i++) {
      pattern_fill((uint64_t) i, (uint64_t) r * 64, out, sizeof out);
      read_exactly(fds[i], in, sizeof in, "pong read");
      if (memcmp(in, out, sizeof in) != 0) {
        printf("MISMATCH pingpong conn %d round %d\nRESULT failed\n", i, r);
        exit(1);
      }
    }
    check_time("pingpong");
  }
  /* Leave the server with echoes it cannot send, then reset: it closes with writes queued. */
  unsigned char *blast = malloc(65536);
  memset(blast, 'b', 65536);
  for (int i = 0; i < pingpong; i++) {
    int flags = MSG_DONTWAIT;
    for (uint64_t put = 0; put < pp_blast;) {
      size_t n = pp_blast - put < 65536 ? (size_t) (pp_blast - put) : 65536;
      ssize_t w = send(fds[i], blast, n, flags);
      if (w <= 0) {
        break; /* the server reads everything; a full buffer just ends the blast */
      }
      put += (uint64_t) w;
    }
  }
  for (int i = 0; i < pingpong; i++) {
    struct linger lg = {1, 0};
    setsockopt(fds[i], SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(fds[i]);
  }
  free(blast);
  free(fds);
  printf("pingpong %d rounds %d reset\n", pingpong, pp_rounds);
}

/* Where the 8 bytes at `actual` occur in the stream, from 16 MiB before to 256 MiB after
 * `offset`, or -1: tells bytes skipped or repeated from garbage. */
static long long find_in_stream(uint64_t seed, uint64_t offset, const unsigned char *actual) {
  const uint64_t before = 16u << 20, after = 256u << 20;
  const size_t block = 1u << 20;
  unsigned char *buf = malloc(block + 8);
  if (buf == NULL) {
    return -1;
  }
  uint64_t base = offset > before ? offset - before : 0;
  for (; base < offset + after; base += block) {
    pattern_fill(seed, base, buf, block + 8);
    for (size_t i = 0; i < block; i++) {
      if (buf[i] == actual[0] && memcmp(buf + i, actual, 8) == 0) {
        free(buf);
        return (long long) (base + i);
      }
    }
  }
  free(buf);
  return -1;
}

static void mismatch(pump_t *c, int index, uint64_t offset, const unsigned char *actual,
    size_t n) {
  printf("MISMATCH conn %d port %d offset %llu expected ", index, c->port,
      (unsigned long long) offset);
  for (size_t i = 0; i < n; i++) {
    printf("%02x", pattern_at(c->seed, offset + i));
  }
  printf(" actual ");
  for (size_t i = 0; i < n; i++) {
    printf("%02x", actual[i]);
  }
  long long found = n >= 8 ? find_in_stream(c->seed, offset, actual) : -1;
  if (found >= 0) {
    printf(" found-at %lld shift %+lld", found, found - (long long) offset);
  } else {
    printf(" not-found-nearby");
  }
  printf("\nRESULT failed\n");
  fflush(stdout);
  exit(1);
}

static void update_interest(int ep, pump_t *c) {
  int want = !c->shut && (window_bytes == 0 || c->sent - c->received < window_bytes);
  if (want != c->want_out) {
    c->want_out = want;
    struct epoll_event ev = {.events = EPOLLIN | (want ? EPOLLOUT : 0), .data.ptr = c};
    if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) != 0) {
      fail("epoll_ctl");
    }
  }
}

static void run_pump(void) {
  pump_t *cs = calloc((size_t) (conns > 0 ? conns : 1), sizeof *cs);
  unsigned char *out = malloc(write_size);
  size_t in_size = 256 * 1024;
  unsigned char *in = malloc(in_size);
  unsigned char *expected = malloc(in_size);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) {
    fail("epoll_create1");
  }
  for (int i = 0; i < conns; i++) {
    cs[i].fd = connect_to(0);
    cs[i].port = local_port(cs[i].fd);
    cs[i].seed = mix((uint64_t) salt * GOLDEN + (uint64_t) cs[i].port);
    cs[i].want_out = 1;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = &cs[i]};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev) != 0) {
      fail("epoll_ctl add");
    }
  }
  int left = conns;
  struct epoll_event evs[64];
  while (left > 0) {
    check_time("pump");
    int n = epoll_wait(ep, evs, 64, 100);
    for (int e = 0; e < n; e++) {
      pump_t *c = evs[e].data.ptr;
      int index = (int) (c - cs);
      if (c->done) {
        continue;
      }
      if (evs[e].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
        for (;;) {
          ssize_t r = recv(c->fd, in, in_size, MSG_DONTWAIT);
          if (r > 0) {
            pattern_fill(c->seed, c->received, expected, (size_t) r);
            if (memcmp(in, expected, (size_t) r) != 0) {
              size_t k = 0;
              while (in[k] == expected[k]) {
                k++;
              }
              size_t avail = (size_t) r - k < EVIDENCE ? (size_t) r - k : EVIDENCE;
              mismatch(c, index, c->received + k, in + k, avail);
            }
            c->crc = crc_update(c->crc, in, (size_t) r);
            c->received += (uint64_t) r;
            continue;
          }
          if (r == 0) {
            c->done = 1;
            epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
            left--;
            break;
          }
          if (errno == EAGAIN || errno == EWOULDBLOCK) {
            break;
          }
          fail("pump read");
        }
      }
      while (!c->done && !c->shut && (evs[e].events & EPOLLOUT)
          && (window_bytes == 0 || c->sent - c->received < window_bytes)) {
        uint64_t todo = bytes - c->sent;
        size_t chunk = todo < write_size ? (size_t) todo : write_size;
        if (chunk == 0) {
          if (shutdown(c->fd, SHUT_WR) != 0) {
            fail("shutdown");
          }
          c->shut = 1;
          break;
        }
        pattern_fill(c->seed, c->sent, out, chunk);
        ssize_t w = send(c->fd, out, chunk, MSG_DONTWAIT);
        if (w > 0) {
          c->sent += (uint64_t) w;
          continue;
        }
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
          break;
        }
        fail("pump write");
      }
      if (!c->done) {
        update_interest(ep, c);
      }
    }
  }
  int ok = 1;
  for (int i = 0; i < conns; i++) {
    printf("conn %d port %d sent %llu received %llu crc32c %08x\n", i, cs[i].port,
        (unsigned long long) cs[i].sent, (unsigned long long) cs[i].received, cs[i].crc);
    if (cs[i].received != bytes || cs[i].sent != bytes) {
      printf("SHORT conn %d port %d received %llu of %llu\n", i, cs[i].port,
          (unsigned long long) cs[i].received, (unsigned long long) bytes);
      ok = 0;
    }
    close(cs[i].fd);
  }
  free(out);
  free(in);
  free(expected);
  free(cs);
  close(ep);
  printf("RESULT %s\n", ok ? "ok" : "failed");
  fflush(stdout);
  exit(ok ? 0 : 1);
}

static const char *arg(const char *a, const char *name) {
  size_t n = strlen(name);
  return strncmp(a, name, n) == 0 && a[n] == '=' ? a + n + 1 : NULL;
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    const char *v;
    if ((v = arg(argv[i], "--port"))) port = atoi(v);
    else if ((v = arg(argv[i], "--salt"))) salt = strtoll(v, NULL, 10);
    else if ((v = arg(argv[i], "--conns"))) conns = atoi(v);
    else if ((v = arg(argv[i], "--bytes"))) bytes = strtoull(v, NULL, 10);
    else if ((v = arg(argv[i], "--write-size"))) write_size = strtoull(v, NULL, 10);
    else if ((v = arg(argv[i], "--window"))) window_bytes = strtoull(v, NULL, 10);
    else if ((v = arg(argv[i], "--idle"))) idle = atoi(v);
    else if ((v = arg(argv[i], "--pingpong"))) pingpong = atoi(v);
    else if ((v = arg(argv[i], "--pp-rounds"))) pp_rounds = atoi(v);
    else if ((v = arg(argv[i], "--pp-blast"))) pp_blast = strtoull(v, NULL, 10);
    else if ((v = arg(argv[i], "--seconds"))) seconds = atof(v);
    else {
      fprintf(stderr, "unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  if (port <= 0 || write_size == 0) {
    fprintf(stderr, "--port and a positive --write-size are needed\n");
    return 2;
  }
  crc_init();
  started = now_s();
  memset(&server, 0, sizeof server);
  server.sin_family = AF_INET;
  server.sin_port = htons((uint16_t) port);
  server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int *idle_fds = open_idle();
  if (pingpong > 0) {
    run_pingpong();
  }
  (void) idle_fds; /* held open until exit, like the benchmark's idle connections */
  run_pump();
  return 0;
}
