#!/usr/bin/env bash
# Builds libuvtcp.so: libuv (pinned release, static, PIC) + the JNI glue in src/main/c.
#
# Called by Maven (exec-maven-plugin, phase compile) from the module directory:
#
#   bash src/main/native/build.sh --out=DIR --jdk-include=DIR --libuv-version=V \
#        --libuv-sha256=H --cache=DIR --work=DIR [--libuv-src=DIR]
#
#   --out            where libuvtcp.so goes (META-INF/native/<os>-<arch> in the classes dir)
#   --jdk-include    the JDK's include directory (contains jni.h)
#   --libuv-version  libuv release, e.g. 1.44.2
#   --libuv-sha256   sha256 of Debian's libuv1_<version>.orig.tar.gz (the upstream release)
#   --cache          cache for the source tarball and the libuv builds (shared between builds)
#   --work           scratch dir for our object files (e.g. target/native)
#   --libuv-src      an unpacked libuv source tree to use instead of the tarball; when empty,
#                    the environment variable UVTCP_LIBUV_SRC is used if set
#   --sanitize       empty (default) or "address": libuv and the glue built with
#                    AddressSanitizer (-fsanitize=address, -O1 -g, no _FORTIFY_SOURCE), for
#                    tests only; never put such a library into a jar (see docs/RELIABILITY.md)
#
# libuv's source is taken from, in this order: the given tree; the cached tarball; Debian's
# source package libuv1, fetched with a private apt configuration (the machine's apt
# configuration and state are not changed). The tarball's sha256 is always checked.
#
# Every patches/*.patch beside this script (unified diffs, -p1 from libuv's source root, in
# name order; each file says why it exists) is applied to a private copy of that source,
# never to the source itself: the tarball is unpacked once untouched into
# CACHE/src-VERSION-SHA12 (the C benchmark in bench/ builds from that) and once more, patched,
# into CACHE/src-VERSION-SHA12-pPATCHHASH; a given tree is copied (mtimes kept) into
# WORK/libuv-src and patched there. PATCHHASH (names and contents of the patches) is part of
# the libuv build cache key, so a changed patch means a fresh libuv build. Needs `patch` (or
# else `git apply`).
set -euo pipefail

die() { echo "uvtcp native build: ERROR: $*" >&2; exit 1; }
log() { echo "uvtcp native build: $*" >&2; }

OUT="" JDK_INCLUDE="" LIBUV_VERSION="" LIBUV_SHA256="" CACHE="" WORK="" LIBUV_SRC="" SANITIZE=""
for arg in "$@"; do
  case "$arg" in
    --out=*)            OUT="${arg#*=}" ;;
    --jdk-include=*)    JDK_INCLUDE="${arg#*=}" ;;
    --libuv-version=*)  LIBUV_VERSION="${arg#*=}" ;;
    --libuv-sha256=*)   LIBUV_SHA256="${arg#*=}" ;;
    --cache=*)          CACHE="${arg#*=}" ;;
    --work=*)           WORK="${arg#*=}" ;;
    --libuv-src=*)      LIBUV_SRC="${arg#*=}" ;;
    --sanitize=*)       SANITIZE="${arg#*=}" ;;
    *) die "unknown argument: $arg" ;;
  esac
done
# An unset Maven property arrives literally as ${...}: treat it as empty.
case "$LIBUV_SRC" in '${'*) LIBUV_SRC="" ;; esac
case "$SANITIZE" in '${'*) SANITIZE="" ;; esac
case "$SANITIZE" in ""|address) ;; *) die "--sanitize must be empty or 'address', not '$SANITIZE'" ;; esac
if [[ -z "$LIBUV_SRC" && -n "${UVTCP_LIBUV_SRC:-}" ]]; then LIBUV_SRC="$UVTCP_LIBUV_SRC"; fi

[[ -n "$OUT" ]] || die "--out is required"
[[ -n "$JDK_INCLUDE" ]] || die "--jdk-include is required"
[[ -n "$LIBUV_VERSION" ]] || die "--libuv-version is required"
[[ -n "$LIBUV_SHA256" ]] || die "--libuv-sha256 is required"
[[ -n "$CACHE" ]] || die "--cache is required"
[[ -n "$WORK" ]] || die "--work is required"
[[ -f "$JDK_INCLUDE/jni.h" ]] \
  || die "no jni.h in $JDK_INCLUDE (a JDK, not a JRE, must run Maven)"
[[ -f "$JDK_INCLUDE/linux/jni_md.h" ]] || die "no linux/jni_md.h in $JDK_INCLUDE"

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CSRC="$(cd "$HERE/../c" && pwd)"
MAPFILE="$HERE/libuvtcp.map"
CC="${CC:-cc}"
command -v "$CC" >/dev/null || die "C compiler '$CC' not found"

mkdir -p "$CACHE" "$WORK" "$OUT"
CACHE="$(cd "$CACHE" && pwd)"

# One build at a time per cache directory (fd 9 stays open, and locked, until we exit).
exec 9>"$CACHE/.lock"
flock 9

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

PATCHES=()
if [[ -d "$HERE/patches" ]]; then
  mapfile -t PATCHES < <(find "$HERE/patches" -maxdepth 1 -type f -name '*.patch' | LC_ALL=C sort)
fi
PATCH_HASH="none"
if [[ ${#PATCHES[@]} -gt 0 ]]; then
  PATCH_HASH="$(for p in "${PATCHES[@]}"; do basename "$p"; cat "$p"; done | sha256sum | cut -c1-12)"
fi

# Applies every patch to $1, a copy of libuv's source that belongs to this script.
apply_patches() {
  local dir="$1" p
  for p in "${PATCHES[@]}"; do
    log "applying $(basename "$p") to libuv's source in $dir"
    if command -v patch >/dev/null; then
      patch -d "$dir" -p1 --forward --batch --no-backup-if-mismatch --silent -i "$p" >&2 \
        || die "$(basename "$p") does not apply to the libuv source in $dir (is it libuv \
${LIBUV_VERSION}?)"
    elif command -v git >/dev/null; then
      # The ceiling keeps git from taking an enclosing repository (e.g. this project's, around
      # WORK) as the one the patch's paths are relative to.
      (cd "$dir" && GIT_CEILING_DIRECTORIES="$(dirname "$dir")" git apply -p1 "$p") >&2 \
        || die "$(basename "$p") does not apply to the libuv source in $dir (is it libuv \
${LIBUV_VERSION}?)"
    else
      die "neither 'patch' nor 'git' found: one is needed to apply $(basename "$p") to libuv \
(e.g. apt-get install patch)"
    fi
  done
}

# ---- (a) libuv source ------------------------------------------------------------------

TARBALL="$CACHE/libuv1_${LIBUV_VERSION}.orig.tar.gz"

fetch_from_debian() {
  command -v apt-get >/dev/null || die "no libuv source: give -Dlibuv.source.dir=... (or \
UVTCP_LIBUV_SRC), or put libuv1_${LIBUV_VERSION}.orig.tar.gz into $CACHE (apt-get not found)"
  local priv
  priv="$(mktemp -d "${TMPDIR:-/tmp}/uvtcp-apt.XXXXXX")"
  # shellcheck disable=SC2064
  trap "rm -rf '$priv'" EXIT
  mkdir -p "$priv/parts" "$priv/lists/partial" "$priv/dl"
  local f n=0
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f "$f" ]] || continue
    sed -E 's/^Types:.*$/Types: deb-src/' "$f" >"$priv/parts/$(basename "$f")"
    n=$((n + 1))
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f "$f" ]] || continue
    grep -E '^[[:space:]]*deb[[:space:]]' "$f" \
      | sed -E 's/^[[:space:]]*deb[[:space:]]/deb-src /' >"$priv/parts/$(basename "$f")" || true
    n=$((n + 1))
  done
  [[ $n -gt 0 ]] || die "no apt sources found under /etc/apt to derive deb-src entries from"
  chmod -R a+rX "$priv"   # apt downloads as the unprivileged _apt user when run as root
  local -a opts=(
    -o "Dir::Etc::SourceList=/dev/null"
    -o "Dir::Etc::SourceParts=$priv/parts"
    -o "Dir::State::Lists=$priv/lists"
    -o "Dir::Cache::pkgcache="
    -o "Dir::Cache::srcpkgcache="
    -o "APT::Sandbox::User=$(id -un)"
  )
  log "fetching libuv1 ${LIBUV_VERSION} source from Debian (private apt lists in $priv)"
  apt-get -q "${opts[@]}" update >&2 || die "apt-get update (private deb-src lists) failed"
  (cd "$priv/dl" && apt-get -q "${opts[@]}" source --download-only libuv1 >&2) \
    || die "apt-get source --download-only libuv1 failed"
  local got="$priv/dl/libuv1_${LIBUV_VERSION}.orig.tar.gz"
  [[ -f "$got" ]] || die "Debian's libuv1 source package does not carry version ${LIBUV_VERSION} \
(got: $(ls "$priv/dl" | tr '\n' ' ')); put libuv1_${LIBUV_VERSION}.orig.tar.gz into $CACHE \
or give -Dlibuv.source.dir=..."
  local sum
  sum="$(sha256_of "$got")"
  [[ "$sum" == "$LIBUV_SHA256" ]] || die "sha256 mismatch for downloaded $(basename "$got"): \
expected $LIBUV_SHA256, got $sum"
  cp "$got" "$TARBALL.tmp.$$"
  mv -f "$TARBALL.tmp.$$" "$TARBALL"
  rm -rf "$priv"
  trap - EXIT
}

if [[ -n "$LIBUV_SRC" ]]; then
  [[ -f "$LIBUV_SRC/CMakeLists.txt" && -f "$LIBUV_SRC/include/uv.h" ]] \
    || die "given libuv source tree '$LIBUV_SRC' has no CMakeLists.txt / include/uv.h"
  GIVEN_SRC="$(cd "$LIBUV_SRC" && pwd)"
  log "using given libuv source tree $GIVEN_SRC"
  UV_SRC="$GIVEN_SRC"
  if [[ ${#PATCHES[@]} -gt 0 ]]; then
    # A fresh copy each time; files the patches change get their original's mtime back, so
    # cmake's incremental build recompiles only what changed in the given tree.
    UV_SRC="$(cd "$WORK" && pwd)/libuv-src"
    rm -rf "$UV_SRC.tmp"
    cp -a "$GIVEN_SRC/." "$UV_SRC.tmp"
    marker="$(mktemp "$WORK/.patch-marker.XXXXXX")"
    apply_patches "$UV_SRC.tmp"
    while IFS= read -r -d '' f; do
      rel="${f#"$UV_SRC.tmp/"}"
      if [[ -e "$GIVEN_SRC/$rel" ]]; then touch -r "$GIVEN_SRC/$rel" "$f"; fi
    done < <(find "$UV_SRC.tmp" -type f -newer "$marker" -print0)
    rm -f "$marker"
    rm -rf "$UV_SRC"
    mv "$UV_SRC.tmp" "$UV_SRC"
  fi
  SRC_ID="dir:$GIVEN_SRC copy:$UV_SRC patches:$PATCH_HASH"
else
  if [[ -f "$TARBALL" ]]; then
    sum="$(sha256_of "$TARBALL")"
    [[ "$sum" == "$LIBUV_SHA256" ]] || die "sha256 mismatch for cached $TARBALL: expected \
$LIBUV_SHA256, got $sum (delete the file to download it again)"
  else
    fetch_from_debian
  fi
  UV_SRC="$CACHE/src-${LIBUV_VERSION}-${LIBUV_SHA256:0:12}"
  if [[ ! -f "$UV_SRC/.complete" ]]; then
    rm -rf "$UV_SRC" "$UV_SRC.tmp"
    mkdir -p "$UV_SRC.tmp"
    tar -xzf "$TARBALL" -C "$UV_SRC.tmp" --strip-components=1
    [[ -f "$UV_SRC.tmp/CMakeLists.txt" ]] || die "$TARBALL does not look like a libuv source release"
    touch "$UV_SRC.tmp/.complete"
    mv "$UV_SRC.tmp" "$UV_SRC"
  fi
  if [[ ${#PATCHES[@]} -gt 0 ]]; then
    # Unpacked again rather than copied from the pristine tree: only the checked tarball counts.
    UV_SRC="$UV_SRC-p$PATCH_HASH"
    if [[ ! -f "$UV_SRC/.complete" ]]; then
      rm -rf "$UV_SRC" "$UV_SRC.tmp"
      mkdir -p "$UV_SRC.tmp"
      tar -xzf "$TARBALL" -C "$UV_SRC.tmp" --strip-components=1
      apply_patches "$UV_SRC.tmp"
      touch "$UV_SRC.tmp/.complete"
      mv "$UV_SRC.tmp" "$UV_SRC"
    fi
  fi
  SRC_ID="sha256:$LIBUV_SHA256 patches:$PATCH_HASH"
fi

# ---- (b) libuv as a PIC static library, cached -----------------------------------------

ensure_cmake() {
  command -v cmake >/dev/null && return 0
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    log "cmake not found; installing it with apt-get"
    apt-get -q update >&2 && DEBIAN_FRONTEND=noninteractive apt-get -q install -y cmake >&2 \
      || die "apt-get install cmake failed"
  else
    die "cmake is required to build libuv; install it (e.g. apt-get install cmake)"
  fi
}

CMAKE_FLAGS=(
  -DCMAKE_BUILD_TYPE=Release
  -DCMAKE_POSITION_INDEPENDENT_CODE=ON
  -DLIBUV_BUILD_TESTS=OFF
  -DLIBUV_BUILD_BENCH=OFF
)
SAN_FLAGS=()
if [[ "$SANITIZE" == address ]]; then
  SAN_FLAGS=(-fsanitize=address -fno-omit-frame-pointer -g)
  CMAKE_FLAGS+=("-DCMAKE_C_FLAGS=${SAN_FLAGS[*]}")
fi
CC_ID="$("$CC" --version 2>/dev/null | head -n1)"
KEY="$(printf '%s\n' "$LIBUV_VERSION" "$SRC_ID" "$CC_ID" "${CMAKE_FLAGS[@]}" "${CFLAGS:-}" \
  | sha256sum | cut -c1-12)"
UV_BUILD="$CACHE/build-${LIBUV_VERSION}-${KEY}"
UV_LIB="$UV_BUILD/libuv_a.a"

if [[ -n "$LIBUV_SRC" || ! -f "$UV_BUILD/.complete" || ! -f "$UV_LIB" ]]; then
  ensure_cmake
  UV_LOG="$WORK/libuv-build.log"
  : >"$UV_LOG"
  if [[ ! -f "$UV_BUILD/CMakeCache.txt" ]]; then
    log "configuring libuv ${LIBUV_VERSION} in $UV_BUILD"
    cmake -S "$UV_SRC" -B "$UV_BUILD" -DCMAKE_C_COMPILER="$CC" "${CMAKE_FLAGS[@]}" \
      >"$UV_LOG" 2>&1 || { tail -n 40 "$UV_LOG" >&2; die "cmake configure of libuv failed (log: $UV_LOG)"; }
  fi
  # For a given source tree this is an incremental build (a no-op when nothing changed).
  log "building libuv ${LIBUV_VERSION} (static, PIC)"
  cmake --build "$UV_BUILD" --target uv_a -j2 >>"$UV_LOG" 2>&1 \
    || { tail -n 40 "$UV_LOG" >&2; die "building libuv failed (log: $UV_LOG)"; }
  [[ -f "$UV_LIB" ]] || die "libuv build produced no $UV_LIB"
  touch "$UV_BUILD/.complete"
else
  log "libuv ${LIBUV_VERSION} up to date in $UV_BUILD"
fi

# ---- (c) our JNI glue -> libuvtcp.so ---------------------------------------------------

CFLAGS_OURS=(
  -std=c11 -O2 -fPIC -fvisibility=hidden -fstack-protector-strong -D_FORTIFY_SOURCE=2
  -Wall -Wextra -Werror
  -I"$JDK_INCLUDE" -I"$JDK_INCLUDE/linux" -I"$UV_SRC/include"
)
LDFLAGS_OURS=(
  -shared -Wl,-z,relro,-z,now -Wl,--exclude-libs,ALL -Wl,--version-script="$MAPFILE"
  -Wl,--as-needed
)
if [[ "$SANITIZE" == address ]]; then
  # _FORTIFY_SOURCE's checked functions hide accesses from ASan; -O1 keeps reports readable.
  CFLAGS_OURS=("${CFLAGS_OURS[@]/-D_FORTIFY_SOURCE=2/-U_FORTIFY_SOURCE}")
  CFLAGS_OURS=("${CFLAGS_OURS[@]/-O2/-O1}" "${SAN_FLAGS[@]}")
  LDFLAGS_OURS+=("${SAN_FLAGS[@]}")
fi
LIBS=(-lpthread -ldl)

shopt -s nullglob
C_FILES=("$CSRC"/*.c)
[[ ${#C_FILES[@]} -gt 0 ]] || die "no C sources in $CSRC"

SO="$OUT/libuvtcp.so"
STAMP="$WORK/libuvtcp.stamp"
INPUT_ID="$( { printf '%s\n' "$CC_ID" "${CFLAGS_OURS[@]}" "${LDFLAGS_OURS[@]}" "${LIBS[@]}";
  cat "$CSRC"/*.c "$CSRC"/*.h "$MAPFILE" "$UV_LIB"; } | sha256sum | cut -d' ' -f1)"

if [[ -f "$SO" && -f "$STAMP" && "$(cat "$STAMP")" == "$INPUT_ID" ]]; then
  log "libuvtcp.so up to date"
else
  rm -f "$STAMP"
  OBJS=()
  for c in "${C_FILES[@]}"; do
    o="$WORK/$(basename "${c%.c}").o"
    "$CC" "${CFLAGS_OURS[@]}" -c "$c" -o "$o" || die "compiling $(basename "$c") failed"
    OBJS+=("$o")
  done
  "$CC" "${LDFLAGS_OURS[@]}" -o "$SO.tmp" "${OBJS[@]}" "$UV_LIB" "${LIBS[@]}" \
    || die "linking libuvtcp.so failed"
  mv -f "$SO.tmp" "$SO"
  log "built $SO"
fi

# ---- self-check: only the JNI entry points are exported, libuv is built in --------------

if command -v nm >/dev/null; then
  exported="$(nm -D --defined-only "$SO" | awk '{print $NF}' | sort | tr '\n' ' ')"
  [[ "$exported" == "JNI_OnLoad JNI_OnUnload " ]] \
    || { rm -f "$SO"; die "libuvtcp.so must export only JNI_OnLoad and JNI_OnUnload, exports: $exported"; }
else
  log "warning: nm not found, export check skipped"
fi
if command -v ldd >/dev/null; then
  deps="$(ldd "$SO")" || die "ldd $SO failed"
  if grep -qi 'libuv' <<<"$deps"; then
    rm -f "$SO"; die "libuvtcp.so links a shared libuv: $(grep -i libuv <<<"$deps")"
  fi
else
  log "warning: ldd not found, dependency check skipped"
fi
echo "$INPUT_ID" >"$STAMP"
