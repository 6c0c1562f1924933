#!/usr/bin/env bash
# Runs the native and service test suites against an AddressSanitizer build of libuvtcp.
#
#   ./mvnw -B -q install -DskipTests          # once: the normal jars
#   bash bundle-native/src/test/native/asan-test.sh [more mvn arguments, e.g. -Dtest=...]
#
# The ASan library (libuv and the glue built with -fsanitize=address) goes to
# bundle-native/target/native-asan/ and is loaded through -Duvtcp.native.path; the normal
# library in the jars is not touched. The JVM is not built with ASan, so its runtime is
# preloaded (LD_PRELOAD) and told to leave the JVM's own habits alone:
#   detect_leaks=0      LeakSanitizer reports the JVM's never-freed allocations at exit
#   handle_segv=0       the JVM uses SIGSEGV itself (safepoints, implicit null checks)
#   allow_user_segv_handler=1, use_sigaltstack=0   let the JVM install its signal handlers
#   detect_stack_use_after_return=0   fake stacks confuse the JVM's stack banging
# Any ASan report aborts the JVM (halt_on_error=1 is ASan's default): a test run that passes
# is a clean run. Reports go to stderr and to target/asan.*.log (log_path).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)"
cd "$ROOT"
prop() { sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" pom.xml | head -n1; }
JDK="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
OUT="$ROOT/bundle-native/target/native-asan"
mkdir -p "$OUT"

CACHE="${UVTCP_CACHE_DIR:-$HOME/.cache/uvtcp}"
bash bundle-native/src/main/native/fetch-libuv.sh --libuv-version="$(prop libuv.version)" \
  --libuv-sha256="$(prop libuv.sha256)" --cache="$CACHE" \
  --work="$ROOT/bundle-native/target/native-asan-work"
bash bundle-native/src/main/native/build.sh --out="$OUT" --jdk-include="$JDK/include" \
  --libuv-version="$(prop libuv.version)" --libuv-sha256="$(prop libuv.sha256)" \
  --cache="$CACHE" --work="$ROOT/bundle-native/target/native-asan-work" \
  --sanitize=address

LIBASAN="$(gcc -print-file-name=libasan.so)"
[[ -f "$LIBASAN" ]] || { echo "no libasan.so from gcc -print-file-name" >&2; exit 1; }
[[ "$(nm -D "$OUT/libuvtcp.so" | grep -c __asan_init)" -gt 0 ]] \
  || { echo "library is not instrumented" >&2; exit 1; }
echo "asan-test: library $OUT/libuvtcp.so, runtime $LIBASAN" >&2

export ASAN_OPTIONS="detect_leaks=0:handle_segv=0:allow_user_segv_handler=1:use_sigaltstack=0:detect_stack_use_after_return=0:log_path=$ROOT/bundle-native/target/asan"
# Maven's own JVM runs with the runtime preloaded too (harmless: nothing in it is instrumented);
# the forked test JVMs inherit LD_PRELOAD and ASAN_OPTIONS from it.
set +e
LD_PRELOAD="$LIBASAN" mvn -B -o --fail-at-end -pl bundle-native,bundle-service test \
  -Duvtcp.native.path="$OUT/libuvtcp.so" -Dsurefire.failIfNoSpecifiedTests=false "$@"
status=$?
set -e
if ls "$ROOT"/bundle-native/target/asan.* >/dev/null 2>&1; then
  echo "asan-test: ASan reports:" >&2
  cat "$ROOT"/bundle-native/target/asan.* >&2
  exit 1
fi
exit $status
