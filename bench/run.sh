#!/usr/bin/env bash
# uvtcp benchmark: builds what it needs, runs the same workloads against four echo servers
# (C libuv, uvtcp, Netty epoll, JDK NIO) with one native load generator, and writes its
# results into bench/target/results/: summary.md (the tables), chart.png (ratios to C libuv),
# raw.tsv and machine.txt (every figure, and the machine and run they come from), jmh.txt.
# Nothing in the repository changes unless the run is published (--publish).
#
#   bench/run.sh [--runs=N] [--duration=S] [--warmup=S] [--quick] [--no-build]
#                [--skip-clients] [--skip-scaling] [--skip-syscalls] [--jmh] [--publish]
#
#   --runs      alternating runs per server (default 3; medians are reported)
#   --duration  measured seconds per workload (default 5)
#   --warmup    warm-up seconds before each measurement (default 2)
#   --quick     1 run, 2 s per workload, 1 s warm-up (a smoke test, not a result)
#   --publish   keep this run in bench/results/: the summary as latest.md (and jmh-latest.txt
#               with --jmh), the raw figures and the machine as DATE-raw.tsv and
#               DATE-machine.txt (DATE: the run's start, UTC, e.g. 2026-11-25T0932Z).
#               Not with --quick.
#
# The pump workload runs 3 times per server start (new connections each time) and the
# median of the 3 counts as that run's figure: its throughput swings between runs.
#   --skip-syscalls leave out the system call counts (a separate, shorter run: one round per
#                   server of ping-pong 100 and pump 10, the server's system calls counted
#                   with `perf stat` on the syscalls tracepoints; needs perf, run as root)
#   --skip-scaling  leave out uvtcp with 1 vs 2 loops (unpinned; 2 loops both as SO_REUSEPORT
#                   listeners and as one acceptor handing connections to the loops)
#   --jmh       also the JMH microbenchmarks (results/jmh-latest.txt)
#
# Servers run on core 1 (taskset -c 1), the load generator on core 0. Traffic goes to
# 127.0.0.1 only. Every process started here is stopped by PID on exit.
set -euo pipefail

RUNS=3 DURATION=5 WARMUP=2 BUILD=1 CLIENTS=1 SCALING=1 SYSCALLS=1 JMH=0 PUMP_REPEAT=3 PUBLISH=0 QUICK=0
for arg in "$@"; do
  case "$arg" in
    --runs=*) RUNS="${arg#*=}" ;;
    --duration=*) DURATION="${arg#*=}" ;;
    --warmup=*) WARMUP="${arg#*=}" ;;
    --quick) RUNS=1 DURATION=2 WARMUP=1 PUMP_REPEAT=1 QUICK=1 ;;
    --publish) PUBLISH=1 ;;
    --no-build) BUILD=0 ;;
    --skip-clients) CLIENTS=0 ;;
    --skip-scaling) SCALING=0 ;;
    --skip-syscalls) SYSCALLS=0 ;;
    --jmh) JMH=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
    *) echo "bench: unknown argument $arg" >&2; exit 2 ;;
  esac
done

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH/.." && pwd)"
TARGET="$BENCH/target"
RESULTS="$TARGET/results"      # this run's results
PUBLISHED="$BENCH/results"     # what the repository keeps (--publish)
LOGS="$TARGET/logs"
[[ $PUBLISH == 0 || $QUICK == 0 ]] || { echo "bench: --quick runs are not published" >&2; exit 2; }
mkdir -p "$RESULTS" "$LOGS"

log() { echo "bench: $*" >&2; }
die() { echo "bench: ERROR: $*" >&2; exit 1; }

# ---- processes we start are stopped by PID ----------------------------------------------
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- tools ------------------------------------------------------------------------------
# Nothing is installed here: what is missing is named, with the package that has it.
missing=()
command -v cc >/dev/null || missing+=("cc (apt-get install gcc)")
command -v taskset >/dev/null || missing+=("taskset (apt-get install util-linux)")
[[ ${#missing[@]} -eq 0 ]] || die "missing tools: ${missing[*]}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
JCMD="${JAVA_HOME:+$JAVA_HOME/bin/}jcmd"
command -v "$JAVA" >/dev/null || die "java not found"

# ---- build ------------------------------------------------------------------------------
if [[ $BUILD == 1 ]]; then
  log "building uvtcp and the bench module (./mvnw -Pbench -pl bench -am package -DskipTests)"
  (cd "$ROOT" && ./mvnw -B -q -Pbench -pl bench -am package -DskipTests) >&2 \
    || die "Maven build failed"
fi
[[ -f "$TARGET/uvtcp-bench.jar" ]] || die "no $TARGET/uvtcp-bench.jar: run without --no-build"
CP="$TARGET/uvtcp-bench.jar:$TARGET/lib/*"

# libuv: the source release the project builds (bundle-native's build unpacked it into its
# cache), compiled here from the same list of source files (libuv-VERSION.sources) with
# libuv's Release flags, unpatched, straight into the C echo server: no cmake, no make.
LIBUV_VERSION="$(sed -n 's:.*<libuv.version>\(.*\)</libuv.version>.*:\1:p' "$ROOT/pom.xml" | head -1)"
LIBUV_SHA="$(sed -n 's:.*<libuv.sha256>\(.*\)</libuv.sha256>.*:\1:p' "$ROOT/pom.xml" | head -1)"
CACHE="${UVTCP_CACHE_DIR:-$HOME/.cache/uvtcp}"
UV_SRC="${UVTCP_LIBUV_SRC:-$CACHE/src-${LIBUV_VERSION}-${LIBUV_SHA:0:12}}"
[[ -f "$UV_SRC/include/uv.h" ]] || die "no libuv source at $UV_SRC (build bundle-native first)"
UV_LIST="$ROOT/bundle-native/src/main/native/libuv-$LIBUV_VERSION.sources"
[[ -f "$UV_LIST" ]] || die "no libuv source list $UV_LIST"
mapfile -t UV_FILES < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$UV_LIST" | sed "s:^:$UV_SRC/:")
NATIVE="$TARGET/bench-c"
mkdir -p "$NATIVE"
UV_FLAGS=(-O3 -DNDEBUG -std=gnu90 -fno-strict-aliasing -w -D_FILE_OFFSET_BITS=64 -D_GNU_SOURCE
  -D_LARGEFILE_SOURCE -D_POSIX_C_SOURCE=200112 -I"$UV_SRC/include" -I"$UV_SRC/src")
UV_OBJ="$NATIVE/libuv-$LIBUV_VERSION"
if [[ ! -f "$UV_OBJ/libuv.a" ]]; then
  log "compiling libuv $LIBUV_VERSION from $UV_SRC (${#UV_FILES[@]} files)"
  rm -rf "$UV_OBJ" && mkdir -p "$UV_OBJ"
  for f in "${UV_FILES[@]}"; do
    rel="${f#"$UV_SRC"/}" o="$UV_OBJ/${rel//\//_}.o"
    cc "${UV_FLAGS[@]}" -c "$f" -o "$o" 2>>"$LOGS/libuv-build.log" \
      || die "compiling $f failed ($LOGS/libuv-build.log)"
  done
  ar rcs "$UV_OBJ/libuv.a" "$UV_OBJ"/*.o
fi
cc -std=c11 -O2 -Wall -Wextra -Werror -I"$UV_SRC/include" -o "$NATIVE/echo_uv" \
  "$BENCH/src/main/c/echo_uv.c" "$UV_OBJ/libuv.a" -lpthread -ldl
cc -std=c11 -O2 -Wall -Wextra -Werror -o "$NATIVE/loadgen" "$BENCH/src/main/c/loadgen.c"
LOADGEN="$NATIVE/loadgen"

# ---- machine ----------------------------------------------------------------------------
CORES="$(nproc)"
if [[ $CORES -ge 2 ]]; then SERVER_CPU=1 CLIENT_CPU=0; else SERVER_CPU=0 CLIENT_CPU=0; fi
PIN_SERVER=(taskset -c "$SERVER_CPU")
PIN_CLIENT=(taskset -c "$CLIENT_CPU")
# The idle workload holds 10,000 connections in the load generator and in the server.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[[ "$(ulimit -n)" -ge 10100 ]] || die "open file limit $(ulimit -n) is below 10100"

JVM_OPTS=(-Xms64m -Xmx1g -XX:+UseG1GC -Dio.netty.leakDetection.level=disabled)
NETTY_VERSION="$(ls "$TARGET/lib" | sed -n 's/^netty-transport-\([0-9].*\)\.jar$/\1/p' | head -1)"

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RUN_DATE="$(date -u +%Y-%m-%dT%H%MZ)"   # names the published raw figures
mkdir -p "$TARGET/history"   # every run's raw figures; target/results has the latest
RAW="$TARGET/history/raw-$STAMP.tsv"
MACHINE="$TARGET/history/machine-$STAMP.txt"
: >"$RAW"
# How busy the machine is without us: percent of all CPUs busy over 2 s.
cpu_busy() {
  local u n s i w q sq st t1 i1 t2 i2
  read -r _ u n s i w q sq st _ </proc/stat
  t1=$((u + n + s + i + w + q + sq + st)) i1=$((i + w))
  sleep 2
  read -r _ u n s i w q sq st _ </proc/stat
  t2=$((u + n + s + i + w + q + sq + st)) i2=$((i + w))
  echo $(( 100 * ((t2 - t1) - (i2 - i1)) / (t2 - t1 > 0 ? t2 - t1 : 1) ))
}
BUSY_BEFORE="$(cpu_busy)"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
# Loopback drops (netdev backlog) and retransmissions during the run: a noisy run shows here.
softnet_drops() { local s=0 _ d _rest; while read -r _ d _rest; do s=$((s + 16#$d)); done < /proc/net/softnet_stat; echo "$s"; }
retrans() { awk '/^Tcp:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "RetransSegs") c = i; h = 1 } else print $c }' /proc/net/snmp; }
DROPS_BEFORE="$(softnet_drops)" RETRANS_BEFORE="$(retrans)"
{
  echo "cores=$CORES"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "kernel=$(uname -r)"
  echo "jdk=$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.vm.name = //p' | head -1) $("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.runtime.version = //p' | head -1)"
  echo "libuv=$LIBUV_VERSION"
  echo "netty=$NETTY_VERSION"
  echo "runs=$RUNS"
  echo "pump_repeat=$PUMP_REPEAT"
  echo "duration=$DURATION"
  echo "warmup=$WARMUP"
  echo "server_cpu=$SERVER_CPU"
  echo "client_cpu=$CLIENT_CPU"
  echo "load_before=load average $LOAD_BEFORE, CPUs ${BUSY_BEFORE}% busy"
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "command=bench/run.sh $*"
} >"$MACHINE"
log "machine: $(tr '\n' ' ' <"$MACHINE")"

# ---- servers ----------------------------------------------------------------------------
PORT=21000
SERVER_PID=""

# start_server KIND PORT [PINNED=1] [LOOPS=1] [SPREAD=reuseport]
start_server() {
  local kind="$1" port="$2" pinned="${3:-1}" loops="${4:-1}" spread="${5:-reuseport}"
  local out="$LOGS/server-$kind-$port.log"
  local -a pin=()
  [[ $pinned == 1 ]] && pin=("${PIN_SERVER[@]}")
  case "$kind" in
    c-libuv*) "${pin[@]}" "$NATIVE/echo_uv" "$port" >"$out" 2>&1 & ;;
    uvtcp*) "${pin[@]}" "$JAVA" "${JVM_OPTS[@]}" -cp "$CP" dev.uvtcp.bench.UvtcpEchoServer \
              "$port" "$loops" "$spread" >"$out" 2>&1 & ;;
    netty) "${pin[@]}" "$JAVA" "${JVM_OPTS[@]}" -cp "$CP" dev.uvtcp.bench.NettyEchoServer \
              "$port" >"$out" 2>&1 & ;;
    nio) "${pin[@]}" "$JAVA" "${JVM_OPTS[@]}" -cp "$CP" dev.uvtcp.bench.NioEchoServer \
              "$port" >"$out" 2>&1 & ;;
    *) die "unknown server $kind" ;;
  esac
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  local i
  for i in $(seq 1 200); do
    grep -q '^READY' "$out" 2>/dev/null && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$out" >&2; die "server $kind died"; }
    sleep 0.1
  done
  die "server $kind did not get ready in 20 s ($out)"
}

stop_server() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

# loadgen RUN SERVER WORKLOAD PINNED args...
loadgen() {
  loadgen_median_of 1 "" "$@"
}

# loadgen_median_of N KEY RUN SERVER WORKLOAD PINNED args...: runs the load generator N times
# (each with new connections) and records the run whose KEY is the median. Pump throughput
# on loopback swings between runs (delayed-ACK/tail-loss-probe stalls, see the README), so
# one pump run per server start is too noisy to compare servers by.
loadgen_median_of() {
  local n="$1" key="$2" run="$3" server="$4" workload="$5" pinned="$6"
  shift 6
  local -a pin=() outs=()
  [[ $pinned == 1 ]] && pin=("${PIN_CLIENT[@]}")
  local i out
  for i in $(seq 1 "$n"); do
    out="$("${pin[@]}" timeout $((${DURATION%.*} + ${WARMUP%.*} + 60)) "$LOADGEN" \
      --port="$PORT" --pid="$SERVER_PID" --warmup="$WARMUP" --duration="$DURATION" "$@")" \
      || { log "loadgen $workload against $server failed"; continue; }
    outs+=("$out")
  done
  [[ ${#outs[@]} -gt 0 ]] || return 0
  local chosen=0
  if [[ ${#outs[@]} -gt 1 ]]; then
    chosen="$(for i in "${!outs[@]}"; do
        printf '%s %s\n' "$(sed -n "s/^$key=//p" <<<"${outs[$i]}")" "$i"
      done | sort -g | awk '{ idx[NR] = $2 } END { print idx[int((NR + 1) / 2)] }')"
    log "  $server $workload: $key of $n runs: $(for o in "${outs[@]}"; do sed -n "s/^$key=//p" <<<"$o"; done | tr '\n' ' ')(median kept)"
  fi
  out="${outs[$chosen]}"
  echo "$out" | while IFS='=' read -r k v; do
    printf '%s\t%s\t%s\t%s\t%s\n' "$run" "$server" "$workload" "$k" "$v"
  done >>"$RAW"
  log "  $server $workload: $(echo "$out" | grep -E '^(round_trips_per_s|mib_per_s|connections_per_s|bytes_per_conn|p99_us|server_cpu_us_per_op)=' | tr '\n' ' ')"
}

gc_cmd_for() {
  case "$1" in
    c-libuv*) echo "" ;;
    *) echo "$JCMD $SERVER_PID GC.run >/dev/null" ;;
  esac
}

# The pump: 10 connections, 1 MiB writes, at most 2 MiB unechoed each. Writes this big keep the
# generator's system calls per byte low enough that the server's core, not the generator's,
# is the saturated one (with 64 KiB writes the generator's own core was the limit).
PUMP_ARGS=(--mode=pump --conns=10 --size=1048576 --window=2097152)

# workloads RUN SERVER PINNED [full=1]
workloads() {
  local run="$1" server="$2" pinned="$3" full="${4:-1}"
  loadgen "$run" "$server" pp100 "$pinned" --mode=pingpong --conns=100 --size=64
  if [[ $full == 1 ]]; then
    loadgen "$run" "$server" pp1 "$pinned" --mode=pingpong --conns=1 --size=64
  fi
  loadgen_median_of "$PUMP_REPEAT" mib_per_s "$run" "$server" pump10 "$pinned" \
    "${PUMP_ARGS[@]}"
  loadgen "$run" "$server" connect50 "$pinned" --mode=connect --conns=50 --size=64
  if [[ $full == 1 ]]; then
    loadgen "$run" "$server" idle10k "$pinned" --mode=idle --conns=10000 --size=64 \
      --gc-cmd="$(gc_cmd_for "$server")"
  fi
}

SERVERS=(c-libuv uvtcp netty nio)
for run in $(seq 1 "$RUNS"); do
  # Alternate: each run starts with the next server.
  for i in "${!SERVERS[@]}"; do
    server="${SERVERS[$(( (i + run - 1) % ${#SERVERS[@]} ))]}"
    PORT=$((PORT + 1))
    log "run $run/$RUNS: $server (port $PORT)"
    start_server "$server" "$PORT"
    workloads "$run" "$server" 1
    stop_server
  done
done

# ---- system calls per unit of work ----------------------------------------------------
# A separate run, so the counting costs nothing in the figures above: perf counts the server's
# entries into each system call (tracepoints, no ptrace) over the load generator's measured
# window, and the counts are divided by that window's round trips (ping-pong) or MiB (pump).
SYSCALL_NAMES=(read readv recvfrom recvmsg write writev sendto sendmsg epoll_wait epoll_pwait
  epoll_ctl futex)
syscalls_of() {
  local server="$1" workload="$2" per="$3"
  shift 3
  local out="$LOGS/sys-$server-$workload.out" counts="$LOGS/sys-$server-$workload.perf"
  local -a events=(-e raw_syscalls:sys_enter)
  local name
  for name in "${SYSCALL_NAMES[@]}"; do
    events+=(-e "syscalls:sys_enter_$name")
  done
  "${PIN_CLIENT[@]}" timeout $((${DURATION%.*} + ${WARMUP%.*} + 60)) "$LOADGEN" \
    --port="$PORT" --pid="$SERVER_PID" --warmup="$WARMUP" --duration="$DURATION" "$@" >"$out" &
  local lg=$!
  PIDS+=("$lg")
  sleep "$WARMUP"
  perf stat -x, "${events[@]}" -p "$SERVER_PID" -- sleep "$DURATION" 2>"$counts" >/dev/null \
    || log "perf stat against $server failed ($counts)"
  wait "$lg" || { log "loadgen $workload against $server failed"; return 0; }
  local units
  if [[ $per == op ]]; then
    units="$(sed -n 's/^ops=//p' "$out")"
  else
    units="$(awk -F= '/^mib_per_s=/ { m = $2 } /^seconds=/ { s = $2 } END { print m * s }' "$out")"
  fi
  awk -F, -v run=sys -v server="$server" -v workload="$workload" -v per="$per" -v units="$units" '
    $1 ~ /^[0-9]+$/ && units > 0 {
      ev = $3; sub(/^.*sys_enter_?/, "", ev); if (ev == "") ev = "total"
      printf "%s\t%s\t%s\tsys_%s_per_%s\t%.3f\n", run, server, workload, ev, per, $1 / units
    }' "$counts" >>"$RAW"
  log "  $server $workload system calls per $per: $(awk -F'\t' -v s="$server" -v w="$workload" '$1 == "sys" && $2 == s && $3 == w && $4 ~ /total/ { print $5 }' "$RAW")"
}
if [[ $SYSCALLS == 1 ]]; then
  if command -v perf >/dev/null && perf stat -e raw_syscalls:sys_enter -- true >/dev/null 2>&1; then
    # Only the calls this kernel has a tracepoint for (epoll_wait is not on aarch64).
    known=()
    for name in "${SYSCALL_NAMES[@]}"; do
      perf stat -e "syscalls:sys_enter_$name" -- true >/dev/null 2>&1 && known+=("$name")
    done
    SYSCALL_NAMES=("${known[@]}")
    for server in "${SERVERS[@]}"; do
      PORT=$((PORT + 1))
      log "system calls: $server (port $PORT)"
      start_server "$server" "$PORT"
      syscalls_of "$server" pp100 op --mode=pingpong --conns=100 --size=64
      syscalls_of "$server" pump10 mib "${PUMP_ARGS[@]}"
      stop_server
    done
  else
    log "system calls not counted: perf with the syscalls tracepoints is not available here"
    echo "syscalls=not counted (perf or its tracepoints not available)" >>"$MACHINE"
  fi
fi

# ---- uvtcp and Netty as clients against the C server ----------------------------------
if [[ $CLIENTS == 1 ]]; then
  for run in $(seq 1 "$RUNS"); do
    PORT=$((PORT + 1))
    start_server c-libuv "$PORT"
    for client in uvtcp netty; do
      [[ $(( run % 2 )) == 0 ]] && client="$([[ $client == uvtcp ]] && echo netty || echo uvtcp)"
      out="$("${PIN_CLIENT[@]}" timeout 120 "$JAVA" "${JVM_OPTS[@]}" -cp "$CP" \
        dev.uvtcp.bench.ClientBench "$client" "$PORT" 100 64 "$WARMUP" "$DURATION")" \
        || { log "client $client failed"; continue; }
      echo "$out" | while IFS='=' read -r k v; do
        printf '%s\t%s\t%s\t%s\t%s\n' "$run" "client-$client" client100 "$k" "$v"
      done >>"$RAW"
      log "  client $client: $(echo "$out" | tr '\n' ' ')"
    done
    stop_server
  done
fi

# ---- scaling: uvtcp with 1 and 2 loops, nothing pinned --------------------------------
if [[ $SCALING == 1 ]]; then
  for run in $(seq 1 "$RUNS"); do
    for server in c-libuv-unpinned uvtcp-1loop uvtcp-2loops uvtcp-2loops-handoff; do
      PORT=$((PORT + 1))
      loops=1 spread=reuseport
      [[ $server == uvtcp-2loops* ]] && loops=2
      [[ $server == *-handoff ]] && spread=handoff
      log "scaling run $run/$RUNS: $server (port $PORT)"
      start_server "$server" "$PORT" 0 "$loops" "$spread"
      workloads "$run" "$server" 0 0
      stop_server
    done
  done
fi

# ---- report -----------------------------------------------------------------------------
BUSY_AFTER="$(cpu_busy)"
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "load_after=load average $LOAD_AFTER (what ran during the run, this bench included), CPUs ${BUSY_AFTER}% busy" >>"$MACHINE"
echo "net=loopback packets dropped (netdev backlog) during the run: $(( $(softnet_drops) - DROPS_BEFORE )), TCP segments retransmitted: $(( $(retrans) - RETRANS_BEFORE ))" >>"$MACHINE"
if [[ $BUSY_BEFORE -gt 10 || $BUSY_AFTER -gt 10 ]]; then
  echo "noise=**Noisy run:** other work kept the CPUs ${BUSY_BEFORE}% busy before the run and ${BUSY_AFTER}% after it; throughput and tail latency figures are unreliable, CPU time per operation less so." >>"$MACHINE"
else
  echo "noise=The machine was otherwise idle before and after the run (${BUSY_BEFORE}% / ${BUSY_AFTER}% busy)." >>"$MACHINE"
fi
if [[ $JMH == 1 ]]; then
  log "JMH microbenchmarks"
  "${PIN_SERVER[@]}" "$JAVA" -cp "$CP" org.openjdk.jmh.Main -foe true -rf text \
    -rff "$RESULTS/jmh.txt" 'dev.uvtcp.bench.jmh.*' >"$LOGS/jmh.log" 2>&1 \
    || log "JMH failed (see $LOGS/jmh.log)"
fi
cp "$RAW" "$RESULTS/raw.tsv"
cp "$MACHINE" "$RESULTS/machine.txt"
"$JAVA" -Djava.awt.headless=true -cp "$CP" dev.uvtcp.bench.Report "$RAW" "$MACHINE" \
  "$RESULTS/summary.md" "$RESULTS/chart.png"
log "wrote $RESULTS/summary.md and $RESULTS/chart.png"
if [[ $PUBLISH == 1 ]]; then
  # The summary replaces the last published one; the raw figures are kept once per published
  # run, under the run's date. The chart is not kept: Report makes it again from the two
  # files (see bench/README.md).
  cp "$RESULTS/summary.md" "$PUBLISHED/latest.md"
  [[ $JMH == 1 && -f "$RESULTS/jmh.txt" ]] && cp "$RESULTS/jmh.txt" "$PUBLISHED/jmh-latest.txt"
  cp "$RAW" "$PUBLISHED/$RUN_DATE-raw.tsv"
  cp "$MACHINE" "$PUBLISHED/$RUN_DATE-machine.txt"
  log "published into $PUBLISHED: latest.md, $RUN_DATE-raw.tsv, $RUN_DATE-machine.txt"
fi
cat "$RESULTS/summary.md"
