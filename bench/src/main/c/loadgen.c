/*
 * uvtcp bench: the load generator. One thread, epoll, plain sockets, so every echo server sees
 * the same client.
 *
 *   loadgen --port=P --mode=pingpong|pump|connect|idle [--conns=N] [--size=BYTES]
 *           [--warmup=SECONDS] [--duration=SECONDS] [--pid=SERVER_PID] [--gc-cmd=COMMAND]
 *
 *   pingpong  N connections each send SIZE bytes and wait for the echo, over and over:
 *             round trips/s and latency percentiles
 *   pump      N connections each write SIZE-byte chunks as fast as the server echoes them
 *             (at most --window bytes unechoed per connection, 512 KiB by default; 0 for no
 *             window: write whenever writable): MiB/s echoed
 *
 * Every byte that comes back is checked: pump streams a pattern that depends on the stream
 * position (period PATTERN_PERIOD, a prime, so a dropped, repeated or shifted range shows) and
 * compares each read with what should be at that position; pingpong compares each echo with
 * the ping. "mismatched_reads" (reads with a wrong byte) and "first_mismatch_at" are printed
 * for every result: a fast wrong answer must show.
 *   connect   N concurrent slots each connect, exchange SIZE bytes, close, repeat:
 *             connections/s
 *   idle      opens N connections, exchanges SIZE bytes on each, then holds them all:
 *             the server's resident memory per connection (VmRSS delta; --gc-cmd runs before
 *             each of the two readings, e.g. "jcmd PID GC.run" for a JVM)
 *
 * With --pid, the server's CPU time (utime + stime from /proc/PID/stat) over the measured
 * window is reported, per operation too. Results go to stdout as "key=value" lines. Only
 * connects to 127.0.0.1. Every phase is bounded in time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_EVENTS 512
static size_t WINDOW = 512 * 1024;

typedef struct {
  int fd;
  int state;      /* connect mode: 0 free, 1 connecting, 2 exchanging */
  size_t got;     /* bytes of the current echo received */
  uint64_t sent_at;
  uint64_t sent;  /* pump: bytes written */
  uint64_t recvd; /* pump: bytes read */
  int want_out;
} conn_t;

static int port = 0, conns = 1, epfd;
static size_t size = 64;
static double warmup = 1, duration = 5;
static int server_pid = 0;
static int sockbuf = 0; /* --sockbuf: SO_RCVBUF and SO_SNDBUF of the client's sockets */
static const char *gc_cmd = NULL;
static const char *mode = "pingpong";
static char *payload, *scratch;
/* The pump pattern: byte p of every stream is pattern[p % PATTERN_PERIOD]; the buffer holds
 * PATTERN_PERIOD bytes plus room for one read or write past its end. */
#define PATTERN_PERIOD 1048573u
/* One pump read takes up to this much: what a busy loopback socket holds, in one call. */
#define PUMP_READ_SIZE (1024 * 1024)
static char *pattern;
static uint64_t mismatched_reads;
static long long first_mismatch_at = -1;

static void check_bytes(const char *got, const char *expected, size_t n, uint64_t at) {
  if (memcmp(got, expected, n) != 0) {
    mismatched_reads++;
    if (first_mismatch_at < 0) {
      size_t i = 0;
      while (got[i] == expected[i]) {
        i++;
      }
      first_mismatch_at = (long long) (at + i);
    }
  }
}
static struct sockaddr_in server_addr;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

static void die(const char *what) {
  perror(what);
  exit(1);
}

/* Server CPU time in clock ticks (utime + stime), or -1. */
static long long server_ticks(void) {
  if (server_pid <= 0) {
    return -1;
  }
  char path[64], buf[4096];
  snprintf(path, sizeof path, "/proc/%d/stat", server_pid);
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    return -1;
  }
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  char *p = strrchr(buf, ')');
  if (p == NULL) {
    return -1;
  }
  /* after ") ": field 3 (state) ... field 14 utime, 15 stime */
  unsigned long long utime = 0, stime = 0;
  if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime)
      != 2) {
    return -1;
  }
  return (long long) (utime + stime);
}

static long server_rss_kb(void) {
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/%d/status", server_pid);
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    return -1;
  }
  long kb = -1;
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, "VmRSS:", 6) == 0) {
      kb = strtol(line + 6, NULL, 10);
    }
  }
  fclose(f);
  return kb;
}

static int open_conn(int blocking_connect) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (blocking_connect ? 0 : SOCK_NONBLOCK),
      0);
  if (fd < 0) {
    die("socket");
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (sockbuf > 0) {
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sockbuf, sizeof sockbuf);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sockbuf, sizeof sockbuf);
  }
  int r = connect(fd, (struct sockaddr *) &server_addr, sizeof server_addr);
  if (r < 0 && errno != EINPROGRESS) {
    close(fd);
    return -1;
  }
  if (blocking_connect) {
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  }
  return fd;
}

static void ep(int op, int fd, uint32_t events, void *ptr) {
  struct epoll_event ev = {.events = events, .data.ptr = ptr};
  if (epoll_ctl(epfd, op, fd, &ev) < 0 && op != EPOLL_CTL_DEL) {
    die("epoll_ctl");
  }
}

/* ---- latency samples ---- */
static uint32_t *samples;
static size_t nsamples, capsamples;
static int recording;

static void record(uint64_t ns) {
  if (!recording) {
    return;
  }
  if (nsamples == capsamples) {
    capsamples = capsamples ? capsamples * 2 : 1 << 20;
    samples = realloc(samples, capsamples * sizeof *samples);
    if (samples == NULL) {
      die("realloc");
    }
  }
  samples[nsamples++] = ns > UINT32_MAX ? UINT32_MAX : (uint32_t) ns;
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;
  return x < y ? -1 : x > y;
}

static double pct(double p) {
  if (nsamples == 0) {
    return 0;
  }
  size_t i = (size_t) (p * (double) (nsamples - 1));
  return samples[i] / 1000.0;
}

/* ---- measured window bookkeeping ---- */
static uint64_t ops, bytes;
static long long ticks0;
static uint64_t t0;
static struct rusage self0;

static void start_window(void) {
  ops = 0;
  bytes = 0;
  nsamples = 0;
  recording = 1;
  ticks0 = server_ticks();
  getrusage(RUSAGE_SELF, &self0);
  t0 = now_ns();
}

static void end_window(const char *unit) {
  uint64_t t1 = now_ns();
  long long ticks1 = server_ticks();
  struct rusage self1;
  getrusage(RUSAGE_SELF, &self1);
  double secs = (double) (t1 - t0) / 1e9;
  printf("seconds=%.3f\n", secs);
  printf("ops=%llu\n", (unsigned long long) ops);
  printf("%s=%.1f\n", unit, (double) ops / secs);
  if (bytes > 0) {
    printf("mib_per_s=%.1f\n", (double) bytes / secs / (1024.0 * 1024.0));
  }
  if (ticks0 >= 0 && ticks1 >= 0) {
    double cpu_s = (double) (ticks1 - ticks0) / (double) sysconf(_SC_CLK_TCK);
    printf("server_cpu_s=%.3f\n", cpu_s);
    printf("server_cpu_util=%.3f\n", cpu_s / secs);
    if (ops > 0) {
      printf("server_cpu_us_per_op=%.3f\n", cpu_s * 1e6 / (double) ops);
    }
    if (bytes > 0) {
      printf("server_cpu_s_per_gib=%.4f\n", cpu_s / ((double) bytes / (1024.0 * 1024 * 1024)));
    }
  }
  double self_s = (double) (self1.ru_utime.tv_sec - self0.ru_utime.tv_sec)
      + (double) (self1.ru_stime.tv_sec - self0.ru_stime.tv_sec)
      + (double) (self1.ru_utime.tv_usec - self0.ru_utime.tv_usec) / 1e6
      + (double) (self1.ru_stime.tv_usec - self0.ru_stime.tv_usec) / 1e6;
  printf("client_cpu_util=%.3f\n", self_s / secs);
  printf("mismatched_reads=%llu\nfirst_mismatch_at=%lld\n",
      (unsigned long long) mismatched_reads, first_mismatch_at);
  if (nsamples > 0) {
    qsort(samples, nsamples, sizeof *samples, cmp_u32);
    printf("p50_us=%.1f\np99_us=%.1f\np999_us=%.1f\n", pct(0.5), pct(0.99), pct(0.999));
  }
  fflush(stdout);
}

/* ---- pingpong ---- */

static void send_ping(conn_t *c) {
  c->got = 0;
  c->sent_at = now_ns();
  ssize_t w = write(c->fd, payload, size);
  if (w != (ssize_t) size) {
    fprintf(stderr, "loadgen: short write of a ping (%zd)\n", w);
    exit(1);
  }
}

/* A workload's clock: a warm-up, then the measured window, then the end. */
typedef struct {
  uint64_t warm_end;
  uint64_t end;
  int measuring;
} run_clock_t;

enum { RUN_OVER, RUNNING, WINDOW_OPENED };

/* Starts the warm-up now. Latency samples are recorded only inside the measured window. */
static run_clock_t run_clock_start(void) {
  run_clock_t timing;
  timing.warm_end = now_ns() + (uint64_t) (warmup * 1e9);
  timing.end = timing.warm_end + (uint64_t) (duration * 1e9);
  timing.measuring = 0;
  recording = 0;
  return timing;
}

/*
 * Called before each poll: opens the measured window once the warm-up is over (and then
 * returns WINDOW_OPENED, once), returns RUN_OVER at the end, else RUNNING.
 */
static int run_clock_tick(run_clock_t *timing) {
  uint64_t t = now_ns();
  int opened = 0;
  if (!timing->measuring && t >= timing->warm_end) {
    start_window();
    timing->measuring = 1;
    opened = 1;
  }
  if (t >= timing->end) {
    return RUN_OVER;
  }
  return opened ? WINDOW_OPENED : RUNNING;
}

static void run_pingpong(void) {
  conn_t *cs = calloc((size_t) conns, sizeof *cs);
  for (int i = 0; i < conns; i++) {
    cs[i].fd = open_conn(1);
    if (cs[i].fd < 0) {
      die("connect");
    }
    ep(EPOLL_CTL_ADD, cs[i].fd, EPOLLIN, &cs[i]);
  }
  for (int i = 0; i < conns; i++) {
    send_ping(&cs[i]);
  }
  struct epoll_event evs[MAX_EVENTS];
  run_clock_t timing = run_clock_start();
  while (run_clock_tick(&timing) != RUN_OVER) {
    int n = epoll_wait(epfd, evs, MAX_EVENTS, 100);
    for (int i = 0; i < n; i++) {
      conn_t *c = evs[i].data.ptr;
      ssize_t r = read(c->fd, scratch, size - c->got);
      if (r > 0) {
        check_bytes(scratch, payload + c->got, (size_t) r, c->got);
      }
      if (r <= 0) {
        if (r < 0 && errno == EAGAIN) {
          continue;
        }
        fprintf(stderr, "loadgen: connection lost (%zd, %s)\n", r, strerror(errno));
        exit(1);
      }
      c->got += (size_t) r;
      if (c->got == size) {
        uint64_t done = now_ns();
        record(done - c->sent_at);
        ops++;
        send_ping(c);
      }
    }
  }
  end_window("round_trips_per_s");
  for (int i = 0; i < conns; i++) {
    close(cs[i].fd);
  }
}

/* ---- pump ---- */

static int pump_may_write(const conn_t *c) {
  return WINDOW == 0 || c->sent - c->recvd < WINDOW;
}

static void pump_update_interest(conn_t *c) {
  int want = pump_may_write(c);
  if (want != c->want_out) {
    c->want_out = want;
    ep(EPOLL_CTL_MOD, c->fd, EPOLLIN | (want ? EPOLLOUT : 0), c);
  }
}

static void run_pump(void) {
  conn_t *cs = calloc((size_t) conns, sizeof *cs);
  for (int i = 0; i < conns; i++) {
    cs[i].fd = open_conn(1);
    if (cs[i].fd < 0) {
      die("connect");
    }
    cs[i].want_out = 1;
    ep(EPOLL_CTL_ADD, cs[i].fd, EPOLLIN | EPOLLOUT, &cs[i]);
  }
  struct epoll_event evs[MAX_EVENTS];
  run_clock_t timing = run_clock_start();
  for (;;) {
    int tick = run_clock_tick(&timing);
    if (tick == RUN_OVER) {
      break;
    }
    if (tick == WINDOW_OPENED) {
      recording = 0; /* pump measures bytes, not latency */
    }
    int n = epoll_wait(epfd, evs, MAX_EVENTS, 100);
    for (int i = 0; i < n; i++) {
      conn_t *c = evs[i].data.ptr;
      if (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
        for (;;) {
          ssize_t r = read(c->fd, scratch, PUMP_READ_SIZE);
          if (r > 0) {
            check_bytes(scratch, pattern + c->recvd % PATTERN_PERIOD, (size_t) r, c->recvd);
            c->recvd += (uint64_t) r;
            if (timing.measuring) {
              bytes += (uint64_t) r;
            }
            if (r < PUMP_READ_SIZE) {
              /* Drained for now; epoll is level-triggered, so no read just to see EAGAIN:
               * the generator's system calls per byte are what keeps it below the server. */
              break;
            }
            continue;
          }
          if (r < 0 && errno == EAGAIN) {
            break;
          }
          fprintf(stderr, "loadgen: pump connection lost (%zd, %s)\n", r, strerror(errno));
          exit(1);
        }
      }
      while ((evs[i].events & EPOLLOUT) && pump_may_write(c)) {
        ssize_t w = write(c->fd, pattern + c->sent % PATTERN_PERIOD, size);
        if (w > 0) {
          c->sent += (uint64_t) w;
          if ((size_t) w < size) {
            break; /* the socket's buffer is full: no write just to see EAGAIN */
          }
          continue;
        }
        if (!(w < 0 && errno == EAGAIN)) {
          die("pump write");
        }
        break;
      }
      pump_update_interest(c);
    }
  }
  /* ops for pump: 64 KiB chunks echoed */
  ops = bytes / size;
  end_window("chunks_per_s");
  for (int i = 0; i < conns; i++) {
    close(cs[i].fd);
  }
}

/* ---- connect ---- */

static uint64_t connect_errors;

static void slot_start(conn_t *c) {
  for (;;) {
    c->fd = open_conn(0);
    if (c->fd >= 0) {
      break;
    }
    connect_errors++;
    usleep(1000);
  }
  c->state = 1;
  c->got = 0;
  c->sent_at = now_ns();
  ep(EPOLL_CTL_ADD, c->fd, EPOLLOUT, c);
}

static void slot_fail(conn_t *c) {
  connect_errors++;
  ep(EPOLL_CTL_DEL, c->fd, 0, NULL);
  close(c->fd);
  slot_start(c);
}

/*
 * One epoll event of a connect–exchange slot: completes the connect and sends the payload, or
 * reads some of the echo. Returns 1 once the whole echo has arrived, else 0; a failed slot is
 * handed to slot_fail, which starts it again.
 */
static int exchange_event(conn_t *c) {
  if (c->state == 1) {
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0 || write(c->fd, payload, size) != (ssize_t) size) {
      slot_fail(c);
      return 0;
    }
    c->state = 2;
    ep(EPOLL_CTL_MOD, c->fd, EPOLLIN, c);
    return 0;
  }
  ssize_t r = read(c->fd, scratch, size - c->got);
  if (r < 0 && errno == EAGAIN) {
    return 0;
  }
  if (r <= 0) {
    slot_fail(c);
    return 0;
  }
  c->got += (size_t) r;
  return c->got == size;
}

static void run_connect(void) {
  conn_t *cs = calloc((size_t) conns, sizeof *cs);
  for (int i = 0; i < conns; i++) {
    slot_start(&cs[i]);
  }
  struct epoll_event evs[MAX_EVENTS];
  run_clock_t timing = run_clock_start();
  for (;;) {
    int tick = run_clock_tick(&timing);
    if (tick == RUN_OVER) {
      break;
    }
    if (tick == WINDOW_OPENED) {
      connect_errors = 0;
    }
    int n = epoll_wait(epfd, evs, MAX_EVENTS, 100);
    for (int i = 0; i < n; i++) {
      conn_t *c = evs[i].data.ptr;
      if (exchange_event(c)) {
        record(now_ns() - c->sent_at);
        ops++;
        ep(EPOLL_CTL_DEL, c->fd, 0, NULL);
        close(c->fd);
        slot_start(c);
      }
    }
  }
  end_window("connections_per_s");
  printf("connect_errors=%llu\n", (unsigned long long) connect_errors);
  for (int i = 0; i < conns; i++) {
    close(cs[i].fd);
  }
}

/* ---- idle ---- */

static void run_gc_cmd(void) {
  if (gc_cmd != NULL && gc_cmd[0] != 0) {
    if (system(gc_cmd) != 0) {
      fprintf(stderr, "loadgen: gc command failed: %s\n", gc_cmd);
    }
  }
}

static void run_idle(void) {
  if (server_pid <= 0) {
    fprintf(stderr, "loadgen: idle needs --pid\n");
    exit(2);
  }
  run_gc_cmd();
  usleep(300000);
  long base = server_rss_kb();
  conn_t *cs = calloc((size_t) conns, sizeof *cs);
  int opened = 0, done = 0, inflight = 0;
  struct epoll_event evs[MAX_EVENTS];
  uint64_t deadline = now_ns() + (uint64_t) ((duration + 20) * 1e9);
  uint64_t t_start = now_ns();
  while (done < conns) {
    if (now_ns() > deadline) {
      fprintf(stderr, "loadgen: idle: only %d of %d connections done in time\n", done, conns);
      exit(1);
    }
    while (opened < conns && inflight < 256) {
      conn_t *c = &cs[opened++];
      slot_start(c);
      inflight++;
    }
    int n = epoll_wait(epfd, evs, MAX_EVENTS, 100);
    for (int i = 0; i < n; i++) {
      conn_t *c = evs[i].data.ptr;
      if (exchange_event(c)) {
        ep(EPOLL_CTL_DEL, c->fd, 0, NULL);
        c->state = 3;
        done++;
        inflight--;
      }
    }
  }
  double setup_s = (double) (now_ns() - t_start) / 1e9;
  usleep(1000000);
  run_gc_cmd();
  usleep(500000);
  long loaded = server_rss_kb();
  printf("idle_conns=%d\n", conns);
  printf("setup_seconds=%.2f\n", setup_s);
  printf("rss_base_kb=%ld\nrss_loaded_kb=%ld\n", base, loaded);
  printf("bytes_per_conn=%.0f\n", (double) (loaded - base) * 1024.0 / conns);
  fflush(stdout);
  for (int i = 0; i < conns; i++) {
    close(cs[i].fd);
  }
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strncmp(a, "--port=", 7)) port = atoi(a + 7);
    else if (!strncmp(a, "--mode=", 7)) mode = a + 7;
    else if (!strncmp(a, "--conns=", 8)) conns = atoi(a + 8);
    else if (!strncmp(a, "--size=", 7)) size = (size_t) atol(a + 7);
    else if (!strncmp(a, "--warmup=", 9)) warmup = atof(a + 9);
    else if (!strncmp(a, "--duration=", 11)) duration = atof(a + 11);
    else if (!strncmp(a, "--pid=", 6)) server_pid = atoi(a + 6);
    else if (!strncmp(a, "--gc-cmd=", 9)) gc_cmd = a + 9;
    else if (!strncmp(a, "--sockbuf=", 10)) sockbuf = atoi(a + 10);
    else if (!strncmp(a, "--window=", 9)) WINDOW = (size_t) atol(a + 9);
    else {
      fprintf(stderr, "loadgen: unknown argument %s\n", a);
      return 2;
    }
  }
  if (port <= 0 || conns <= 0 || size == 0) {
    fprintf(stderr, "loadgen: need --port, --conns > 0, --size > 0\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  payload = malloc(size);
  scratch = malloc(size > PUMP_READ_SIZE ? size : PUMP_READ_SIZE);
  memset(payload, 'x', size);
  size_t pattern_bytes = PATTERN_PERIOD + (size > PUMP_READ_SIZE ? size : PUMP_READ_SIZE);
  pattern = malloc(pattern_bytes);
  if (payload == NULL || scratch == NULL || pattern == NULL) {
    die("malloc");
  }
  for (size_t p = 0; p < pattern_bytes; p++) {
    size_t q = p % PATTERN_PERIOD;
    pattern[p] = (char) ((q * 7u) ^ (q >> 11));
  }
  memset(&server_addr, 0, sizeof server_addr);
  server_addr.sin_family = AF_INET;
  server_addr.sin_port = htons((uint16_t) port);
  server_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) {
    die("epoll_create1");
  }
  printf("mode=%s\nconns=%d\nsize=%zu\n", mode, conns, size);
  if (!strcmp(mode, "pingpong")) run_pingpong();
  else if (!strcmp(mode, "pump")) run_pump();
  else if (!strcmp(mode, "connect")) run_connect();
  else if (!strcmp(mode, "idle")) run_idle();
  else {
    fprintf(stderr, "loadgen: unknown mode %s\n", mode);
    return 2;
  }
  return 0;
}
