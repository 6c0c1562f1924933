#!/usr/bin/env bash
# uvtcp benchmark: the uvtcp echo server of another revision against this one's, alternating,
# with the same load generator. What the before/after figures in bench/README.md come from.
#
#   bench/compare.sh REVISION [--rounds=N] [--duration=S] [--warmup=S] [LOADGEN ARGS...]
#
#   REVISION   a commit of this repository (e.g. 7b0a217); its bench is built in
#              bench/target/compare/REVISION (a git worktree, removed after the run)
#   --rounds   alternating rounds (default 3)
#   LOADGEN ARGS the workload, default the pump of bench/run.sh:
#              --mode=pump --conns=10 --size=1048576 --window=2097152
#              e.g. --mode=pingpong --conns=100 --size=64, or --mode=idle --conns=10000
#              --size=64 (a full GC of the server, jcmd, before each RSS reading)
#
# Needs bench/run.sh to have run once (it builds this revision's bench and the load
# generator; --quick is enough). Servers on core 1, the load generator on core 0, traffic to
# 127.0.0.1 only; every server is stopped by PID, also when the run fails. Prints one line
# per run: revision, round, and the load generator's figures (server CPU per operation is
# the one to compare).
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH/.." && pwd)"
[[ $# -ge 1 && $1 != -* ]] || { sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 2; }
REVISION="$1"
shift
ROUNDS=3 DURATION=4 WARMUP=2
WORKLOAD=()
for arg in "$@"; do
  case "$arg" in
    --rounds=*) ROUNDS="${arg#*=}" ;;
    --duration=*) DURATION="${arg#*=}" ;;
    --warmup=*) WARMUP="${arg#*=}" ;;
    *) WORKLOAD+=("$arg") ;;
  esac
done
[[ ${#WORKLOAD[@]} -gt 0 ]] || WORKLOAD=(--mode=pump --conns=10 --size=1048576 --window=2097152)

LOADGEN="$BENCH/target/bench-c/loadgen"
[[ -x $LOADGEN && -f $BENCH/target/uvtcp-bench.jar ]] \
  || { echo "compare: run bench/run.sh --quick once first (it builds the load generator)" >&2; exit 2; }
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

OTHER="$BENCH/target/compare/$REVISION"
SERVER_PID=""
cleanup() {
  [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  git -C "$ROOT" worktree remove --force "$OTHER" 2>/dev/null || true
}
trap cleanup EXIT

echo "compare: building the bench of $REVISION in $OTHER" >&2
git -C "$ROOT" worktree remove --force "$OTHER" 2>/dev/null || true
git -C "$ROOT" worktree add --detach "$OTHER" "$REVISION" >/dev/null
# Its own local repository copy is not needed: its snapshot jars go to bench/target/lib only.
(cd "$OTHER" && ./mvnw -B -q -Pbench -pl bench -am package -DskipTests) >&2

PORT=$((20000 + RANDOM % 5000))
run_one() {
  local label="$1" bench_dir="$2" round="$3" out
  PORT=$((PORT + 1))
  taskset -c 1 "$JAVA" -Xms64m -Xmx1g -XX:+UseG1GC \
    -cp "$bench_dir/target/uvtcp-bench.jar:$bench_dir/target/lib/*" \
    dev.uvtcp.bench.UvtcpEchoServer "$PORT" 1 >"$BENCH/target/compare-server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 150); do
    grep -q READY "$BENCH/target/compare-server.log" 2>/dev/null && break
    sleep 0.1
  done
  local -a gc=()
  # The idle workload measures RSS per connection after a full GC of the server.
  [[ " ${WORKLOAD[*]} " == *" --mode=idle "* ]] && gc=(--gc-cmd="jcmd $SERVER_PID GC.run >/dev/null")
  out="$(taskset -c 0 timeout $((DURATION + WARMUP + 60)) "$LOADGEN" --port="$PORT" \
    --pid="$SERVER_PID" --warmup="$WARMUP" --duration="$DURATION" "${WORKLOAD[@]}" "${gc[@]}")" \
    || true
  kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
  echo "$label round $round $(grep -E '^(mib_per_s|round_trips_per_s|connections_per_s|bytes_per_conn|server_cpu_us_per_op|server_cpu_s_per_gib|server_cpu_util|client_cpu_util|p99_us|mismatched_reads)=' <<<"$out" | tr '\n' ' ')"
}

for round in $(seq 1 "$ROUNDS"); do
  run_one "$REVISION" "$OTHER/bench" "$round"
  run_one "$(git -C "$ROOT" rev-parse --short HEAD)" "$BENCH" "$round"
done
