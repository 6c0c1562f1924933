#!/usr/bin/env bash
# Builds libuvtcp.so: libuv (pinned release, static, PIC) + the JNI glue in src/main/c.
#
# Called by Maven (exec-maven-plugin, phase compile) from the module directory:
#
#   bash src/main/native/build.sh --out=DIR --jdk-include=DIR --libuv-version=V \
#        --libuv-sha256=H --cache=DIR --work=DIR [--libuv-src=DIR] [--target=linux-ARCH] \
#        [--glibc-max=X.Y]
#
#   --out            where libuvtcp.so goes (META-INF/native/<os>-<arch> in the classes dir)
#   --target         linux-x86_64 or linux-aarch64; default: this machine's. For the other
#                    architecture the build cross-compiles with Debian's GNU cross toolchain,
#                    fetched (not installed) by fetch-debs.sh into CACHE/toolchain-TRIPLET-KEY
#                    and used from there with --sysroot; UVTCP_CROSS_CC and UVTCP_CROSS_AR name
#                    another cross compiler and archiver instead (they must find the target's
#                    glibc headers and libraries themselves)
#   --glibc-max      the newest glibc symbol version the library may need (its glibc floor);
#                    the build fails if it needs a newer one. Default: no limit (reported only)
#   --jdk-include    the JDK's include directory (contains jni.h)
#   --libuv-version  libuv release, e.g. 1.44.2
#   --libuv-sha256   sha256 of Debian's libuv1_<version>.orig.tar.gz (the upstream release)
#   --cache          cache of the source tarball (put there by fetch-libuv.sh) and of the
#                    libuv builds (shared between builds)
#   --work           scratch dir for our object files (e.g. target/native)
#   --libuv-src      an unpacked libuv source tree to use instead of the tarball; when empty,
#                    the environment variable UVTCP_LIBUV_SRC is used if set
#   --sanitize       empty (default) or "address": libuv and the glue built with
#                    AddressSanitizer (-fsanitize=address, -O1 -g, no _FORTIFY_SOURCE), for
#                    tests only; never put such a library into a jar (see docs/RELIABILITY.md)
#
# libuv's source is taken from the given tree, or else from the cached tarball, which
# fetch-libuv.sh (run by Maven before this) downloads once: this script never downloads
# libuv and needs no network once the cache has it. The tarball's sha256 is always checked.
#
# Every patches/*.patch beside this script (unified diffs, -p1 from libuv's source root, in
# name order; each file says why it exists) is applied to a private copy of that source,
# never to the source itself: the tarball (which fetch-libuv.sh also unpacks untouched into
# CACHE/src-VERSION-SHA12) is unpacked once more, patched, into
# CACHE/src-VERSION-SHA12-pPATCHHASH (PATCHHASH: names and contents of the patches); a
# given tree is copied into WORK/libuv-src and patched there. Needs `patch` (or else
# `git apply`).
#
# libuv is compiled without cmake or make: the C compiler builds the files listed in
# libuv-VERSION.sources beside this script, with the flags libuv's CMake Release build uses on
# Linux, and `ar` makes the static archive, cached in CACHE/libuv-VERSION-KEY. KEY covers the
# contents of the (patched) sources and headers, the list, the compiler and the flags: a
# changed patch or an edited source tree means a fresh libuv build, an unchanged one none.
#
# Every tool this needs is checked first; what is missing is named in one message.
#
# Output: progress on stdout (Maven shows it at INFO: nothing under -q), errors on stderr.
# What tools print (apt, the compiler on libuv) goes to log files under WORK, shown only when
# the step fails.
set -euo pipefail

die() { echo "uvtcp native build: ERROR: $*" >&2; exit 1; }
log() { echo "uvtcp native build: $*"; }

OUT="" JDK_INCLUDE="" LIBUV_VERSION="" LIBUV_SHA256="" CACHE="" WORK="" LIBUV_SRC="" SANITIZE=""
TARGET="" GLIBC_MAX=""
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
    --target=*)         TARGET="${arg#*=}" ;;
    --glibc-max=*)      GLIBC_MAX="${arg#*=}" ;;
    *) die "unknown argument: $arg" ;;
  esac
done
# An unset Maven property arrives literally as ${...}: treat it as empty.
case "$LIBUV_SRC" in '${'*) LIBUV_SRC="" ;; esac
case "$SANITIZE" in '${'*) SANITIZE="" ;; esac
case "$GLIBC_MAX" in '${'*) GLIBC_MAX="" ;; esac
case "$SANITIZE" in ""|address) ;; *) die "--sanitize must be empty or 'address', not '$SANITIZE'" ;; esac
if [[ -z "$LIBUV_SRC" && -n "${UVTCP_LIBUV_SRC:-}" ]]; then LIBUV_SRC="$UVTCP_LIBUV_SRC"; fi

[[ -n "$OUT" ]] || die "--out is required"
[[ -n "$JDK_INCLUDE" ]] || die "--jdk-include is required"
[[ -n "$LIBUV_VERSION" ]] || die "--libuv-version is required"
[[ -n "$LIBUV_SHA256" ]] || die "--libuv-sha256 is required"
[[ -n "$CACHE" ]] || die "--cache is required"
[[ -n "$WORK" ]] || die "--work is required"

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CSRC="$(cd "$HERE/../c" && pwd)"
MAPFILE="$HERE/libuvtcp.map"
CC="${CC:-cc}"
AR="${AR:-ar}"

# ---- target: this machine's architecture, or the other one by cross-compiling -----------

HOST_ARCH="$(uname -m)"
[[ -n "$TARGET" ]] || TARGET="linux-$HOST_ARCH"
TARGET_ARCH="${TARGET#linux-}"
# Per architecture: the GNU triplet, Debian's name of the architecture in cross package
# names, and the ELF machine readelf reports.
case "$TARGET_ARCH" in
  x86_64)  TRIPLET=x86_64-linux-gnu  DEB_CROSS=amd64 TRIPLET_PKG=x86-64-linux-gnu
           ELF_MACHINE="Advanced Micro Devices X86-64" ;;
  aarch64) TRIPLET=aarch64-linux-gnu DEB_CROSS=arm64 TRIPLET_PKG=aarch64-linux-gnu
           ELF_MACHINE="AArch64" ;;
  *) die "unsupported --target '$TARGET' (supported: linux-x86_64, linux-aarch64)" ;;
esac
[[ "$TARGET" == linux-* ]] || die "unsupported --target '$TARGET' (supported: linux-x86_64, linux-aarch64)"
CROSS=""            # non-empty: building for another architecture than this machine's
CROSS_TC=""         # the fetched cross toolchain (CACHE/toolchain-...), when one is used
SYSROOT_FLAGS=()
if [[ "$TARGET_ARCH" != "$HOST_ARCH" ]]; then
  CROSS=1
  [[ -z "$SANITIZE" ]] || die "--sanitize is for this machine's architecture only, not $TARGET"
  if [[ -n "${UVTCP_CROSS_CC:-}" ]]; then
    CC="$UVTCP_CROSS_CC"
    AR="${UVTCP_CROSS_AR:-$TRIPLET-ar}"
  fi
fi
# The GCC 12 cross compiler of Debian 12 and what it needs to link for the target: its
# binutils, the target's glibc (headers, crt files, libc.so), libgcc. Their amd64 (or, on an
# arm64 machine, arm64) builds; the host libraries they need (libisl, libmpc, libmpfr, ...)
# are those of the machine's own gcc 12, which this build needs anyway.
CROSS_PKGS=(
  "gcc-12-$TRIPLET_PKG" "cpp-12-$TRIPLET_PKG" "gcc-12-$TRIPLET_PKG-base"
  "binutils-$TRIPLET_PKG" "libc6-dev-$DEB_CROSS-cross" "libc6-$DEB_CROSS-cross"
  "linux-libc-dev-$DEB_CROSS-cross" "libgcc-12-dev-$DEB_CROSS-cross"
  "libgcc-s1-$DEB_CROSS-cross"
)
if [[ -n "$CROSS" && -z "${UVTCP_CROSS_CC:-}" ]]; then
  # Where it is unpacked (absolute once CACHE exists, below); keyed by the package list.
  CROSS_TC="$CACHE/toolchain-$TRIPLET-$(printf '%s\n' "${CROSS_PKGS[@]}" | sha256sum | cut -c1-12)"
fi
SOURCES_LIST="$HERE/libuv-${LIBUV_VERSION}.sources"
TARBALL_NAME="libuv1_${LIBUV_VERSION}.orig.tar.gz"

PATCHES=()
if [[ -d "$HERE/patches" ]]; then
  mapfile -t PATCHES < <(find "$HERE/patches" -maxdepth 1 -type f -name '*.patch' | LC_ALL=C sort)
fi

# ---- prerequisites, all checked before anything is done --------------------------------

check_prerequisites() {
  local -a missing=()
  local tool
  if [[ -z "$CROSS" || -n "${UVTCP_CROSS_CC:-}" ]]; then
    command -v "$CC" >/dev/null \
      || missing+=("a C compiler: '$CC' (install gcc, e.g. apt-get install gcc; or set CC)")
    command -v "$AR" >/dev/null \
      || missing+=("'$AR', to archive libuv (install binutils; or set AR)")
  else
    # The host's gcc is not used for the cross build, but the cross compiler runs on the
    # libraries it brings (libisl, libmpc, libmpfr): it stands for them here.
    command -v gcc >/dev/null || missing+=("gcc (the GCC 12 of Debian 12: the $TARGET cross \
compiler fetched by the build runs on its libraries; apt-get install gcc)")
    if [[ ! -f "$CROSS_TC/.complete" ]] \
      && { ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; }; then
      missing+=("apt-get and dpkg-deb, to fetch Debian's $TRIPLET cross compiler for the \
$TARGET library; or name a cross compiler with UVTCP_CROSS_CC (and UVTCP_CROSS_AR)")
    fi
  fi
  command -v readelf >/dev/null \
    || missing+=("'readelf', to check the library's exports and dependencies (install binutils)")
  for tool in tar gzip sha256sum flock find sort; do
    command -v "$tool" >/dev/null || missing+=("'$tool' (coreutils, tar, gzip, util-linux)")
  done
  if [[ ${#PATCHES[@]} -gt 0 ]] && ! command -v patch >/dev/null && ! command -v git >/dev/null
  then
    missing+=("'patch' or 'git', to apply our patches to libuv (e.g. apt-get install patch)")
  fi
  if [[ ! -f "$JDK_INCLUDE/jni.h" || ! -f "$JDK_INCLUDE/linux/jni_md.h" ]]; then
    missing+=("the JDK's JNI headers (jni.h, linux/jni_md.h) in $JDK_INCLUDE: run Maven with \
a JDK 17, not a JRE (e.g. apt-get install openjdk-17-jdk-headless)")
  fi
  [[ -f "$SOURCES_LIST" ]] || missing+=("the list of libuv's source files for version \
${LIBUV_VERSION}, $SOURCES_LIST (only ${LIBUV_VERSION}'s list is needed; see the pinned \
libuv.version in the parent pom.xml)")
  if [[ -z "$LIBUV_SRC" && ! -f "$CACHE/$TARBALL_NAME" ]]; then
    missing+=("libuv ${LIBUV_VERSION}'s source: $TARBALL_NAME is not in $CACHE; fetch it \
with src/main/native/fetch-libuv.sh (the Maven build runs it before this), or give an \
unpacked libuv ${LIBUV_VERSION} source tree with -Dlibuv.source.dir=DIR (or \
UVTCP_LIBUV_SRC=DIR)")
  fi
  if [[ ${#missing[@]} -gt 0 ]]; then
    local message="" item
    for item in "${missing[@]}"; do message+=$'\n'"  - $item"; done
    die "cannot build the native library; missing:$message"
  fi
}
check_prerequisites

mkdir -p "$CACHE" "$WORK" "$OUT"
CACHE="$(cd "$CACHE" && pwd)"
WORK="$(cd "$WORK" && pwd)"

# One build at a time per cache directory (fd 9 stays open, and locked, until we exit).
exec 9>"$CACHE/.lock"
flock 9

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

if [[ -n "$CROSS" && -z "${UVTCP_CROSS_CC:-}" ]]; then
  CROSS_TC="$CACHE/$(basename "$CROSS_TC")"
  bash "$HERE/fetch-debs.sh" --dest="$CROSS_TC" --work="$WORK" "${CROSS_PKGS[@]}"
  CC="$CROSS_TC/usr/bin/$TRIPLET-gcc-12"
  AR="$CROSS_TC/usr/bin/$TRIPLET-ar"
  # The cross binutils load their own libbfd/libopcodes from the unpacked tree.
  HOST_MULTIARCH="$(gcc -dumpmachine 2>/dev/null || echo "$HOST_ARCH-linux-gnu")"
  export LD_LIBRARY_PATH="$CROSS_TC/usr/lib/$HOST_MULTIARCH${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  # The unpacked tree is the sysroot: the compiler then never looks into the machine's own
  # /usr/include, and ld resolves the absolute paths of the target's libc.so script in it.
  SYSROOT_FLAGS=(--sysroot="$CROSS_TC")
  [[ -x "$CC" && -x "$AR" ]] || die "the fetched cross toolchain in $CROSS_TC has no $CC / $AR"
  "$CC" --version >/dev/null 2>&1 || die "the fetched cross compiler $CC does not run: \
$("$CC" --version 2>&1 | head -n 3)"
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

TARBALL="$CACHE/$TARBALL_NAME"

if [[ -n "$LIBUV_SRC" ]]; then
  [[ -f "$LIBUV_SRC/include/uv.h" && -d "$LIBUV_SRC/src/unix" ]] \
    || die "given libuv source tree '$LIBUV_SRC' has no include/uv.h / src/unix"
  GIVEN_SRC="$(cd "$LIBUV_SRC" && pwd)"
  log "using given libuv source tree $GIVEN_SRC"
  UV_SRC="$GIVEN_SRC"
  if [[ ${#PATCHES[@]} -gt 0 ]]; then
    # A fresh patched copy each time; libuv is rebuilt only if the copy's contents changed.
    UV_SRC="$WORK/libuv-src"
    rm -rf "$UV_SRC.tmp"
    cp -a "$GIVEN_SRC/." "$UV_SRC.tmp"
    apply_patches "$UV_SRC.tmp"
    rm -rf "$UV_SRC"
    mv "$UV_SRC.tmp" "$UV_SRC"
  fi
else
  [[ -f "$TARBALL" ]] || die "no $TARBALL: run src/main/native/fetch-libuv.sh first"
  sum="$(sha256_of "$TARBALL")"
  [[ "$sum" == "$LIBUV_SHA256" ]] || die "sha256 mismatch for cached $TARBALL: expected \
$LIBUV_SHA256, got $sum (delete the file and fetch it again with fetch-libuv.sh)"
  # fetch-libuv.sh unpacked it untouched; without patches that tree is built as it is.
  UV_SRC="$CACHE/src-${LIBUV_VERSION}-${LIBUV_SHA256:0:12}"
  [[ ${#PATCHES[@]} -gt 0 || -f "$UV_SRC/.complete" ]] || die "no unpacked libuv source in \
$UV_SRC: run src/main/native/fetch-libuv.sh first"
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
fi

# ---- libuv's licence texts, for the jar ------------------------------------------------
# WORK/LICENSE-libuv (the native pom puts it into the jar as META-INF/LICENSE-libuv):
# libuv's LICENSE from the tree that is built (the checked release, or the given tree), then
# the notices of the two files it names under other licences that are built in too: the
# leading comment of include/uv/tree.h (BSD-2-Clause) and of src/inet.c (ISC).
{
  cat "$UV_SRC/LICENSE"
  for f in include/uv/tree.h src/inet.c; do
    printf '\n==== %s (libuv %s)\n\n' "$f" "$LIBUV_VERSION"
    sed -n '1,/\*\//p' "$UV_SRC/$f"
  done
} >"$WORK/LICENSE-libuv.tmp" || die "no licence texts in $UV_SRC"
mv -f "$WORK/LICENSE-libuv.tmp" "$WORK/LICENSE-libuv"

# ---- (b) libuv as a PIC static library, cached -----------------------------------------

# The sources and flags of libuv's CMake build (uv_a, CMAKE_BUILD_TYPE=Release) on Linux:
# its defines, include directories, -std=gnu90 (C_STANDARD 90 with extensions), its lint
# flags, -fno-strict-aliasing, and Release's -O3 -DNDEBUG; position-independent (-fPIC) and
# hidden (-fvisibility=hidden) because it is linked into a shared library.
mapfile -t UV_FILES < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' "$SOURCES_LIST" | grep -v '^$')
[[ ${#UV_FILES[@]} -gt 0 ]] || die "no source files listed in $SOURCES_LIST"
for f in "${UV_FILES[@]}"; do
  [[ -f "$UV_SRC/$f" ]] || die "$UV_SRC has no $f, listed in $(basename "$SOURCES_LIST"): is \
it libuv ${LIBUV_VERSION}?"
done
SAN_FLAGS=()
if [[ "$SANITIZE" == address ]]; then
  SAN_FLAGS=(-fsanitize=address -fno-omit-frame-pointer -g)
fi
# glibc-compat/: references to glibc functions whose version moved in glibc 2.28-2.34 are bound
# to their old versions, so that the library loads on glibc 2.17 and later (see
# glibc-compat.h). Not for an ASan build, which runs here only and whose runtime intercepts
# those functions itself.
COMPAT_DIR="$HERE/glibc-compat"
COMPAT_FLAGS=()
if [[ -z "$SANITIZE" ]]; then
  COMPAT_FLAGS=(-include "$COMPAT_DIR/glibc-compat.h")
fi
# ${CFLAGS} first, as cmake took it from the environment into CMAKE_C_FLAGS.
# Not for a cross build: flags meant for this machine's compiler (-march=native) would break it.
USER_CFLAGS=()
[[ -n "$CROSS" ]] || read -r -a USER_CFLAGS <<<"${CFLAGS:-}"
UV_CFLAGS=(
  "${USER_CFLAGS[@]}" "${SAN_FLAGS[@]}" "${COMPAT_FLAGS[@]}" -O3 -DNDEBUG -fPIC -fvisibility=hidden
  -Wstrict-prototypes -Wextra -Wall -Wno-unused-parameter -fno-strict-aliasing -std=gnu90
  -D_FILE_OFFSET_BITS=64 -D_GNU_SOURCE -D_LARGEFILE_SOURCE -D_POSIX_C_SOURCE=200112
  -I"$UV_SRC/include" -I"$UV_SRC/src"
)
CC_ID="$("$CC" --version 2>/dev/null | head -n1)"
# What libuv's objects depend on: every C source and header of the tree (a given tree may be
# edited between builds), the list, the compiler and the flags (without the tree's path).
UV_CONTENT="$(cd "$UV_SRC" && find src include -type f \( -name '*.c' -o -name '*.h' \) -print0 \
  | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-64)"
UV_KEY_FLAGS=("${UV_CFLAGS[@]/#-I"$UV_SRC"/-I}")
UV_KEY_FLAGS=("${UV_KEY_FLAGS[@]/#"$COMPAT_DIR"/}")
KEY="$( { printf '%s\n' "$LIBUV_VERSION" "$UV_CONTENT" "$CC_ID" "$AR" "${UV_KEY_FLAGS[@]}";
  cat "$SOURCES_LIST"; [[ ${#COMPAT_FLAGS[@]} -eq 0 ]] || cat "$COMPAT_DIR/glibc-compat.h"; } \
  | sha256sum | cut -c1-12)"
# A native build keeps the name it always had (its cache stays valid); another target's
# build has its own.
if [[ -n "$CROSS" ]]; then
  KEY="$(printf '%s\n' "$KEY" "$TARGET" "$(basename "$AR")" | sha256sum | cut -c1-12)"
fi
UV_BUILD_NAME="libuv-${LIBUV_VERSION}-${KEY}"
[[ -z "$CROSS" ]] || UV_BUILD_NAME="libuv-${LIBUV_VERSION}-${TARGET_ARCH}-${KEY}"
UV_BUILD="$CACHE/$UV_BUILD_NAME"
UV_LIB="$UV_BUILD/libuv_a.a"

if [[ ! -f "$UV_BUILD/.complete" || ! -f "$UV_LIB" ]]; then
  log "building libuv ${LIBUV_VERSION} for $TARGET (static, PIC) from ${#UV_FILES[@]} source files"
  rm -rf "$UV_BUILD.tmp"
  mkdir -p "$UV_BUILD.tmp"
  UV_LOG="$WORK/libuv-build.log"
  : >"$UV_LOG"
  JOBS="$(nproc 2>/dev/null || echo 2)"
  pids=() objs=() failed=0
  for f in "${UV_FILES[@]}"; do
    o="$UV_BUILD.tmp/$(tr '/' '_' <<<"${f%.c}").o"
    objs+=("$o")
    "$CC" "${SYSROOT_FLAGS[@]}" "${UV_CFLAGS[@]}" -c "$UV_SRC/$f" -o "$o" >"$o.log" 2>&1 &
    pids+=($!)
    if [[ ${#pids[@]} -ge $JOBS ]]; then
      wait "${pids[0]}" || failed=1
      pids=("${pids[@]:1}")
    fi
  done
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  for o in "${objs[@]}"; do cat "$o.log" >>"$UV_LOG"; rm -f "$o.log"; done
  if [[ $failed -ne 0 ]]; then
    tail -n 40 "$UV_LOG" >&2
    die "compiling libuv failed (log: $UV_LOG)"
  fi
  "$AR" rcs "$UV_BUILD.tmp/libuv_a.a" "${objs[@]}" >>"$UV_LOG" 2>&1 \
    || { tail -n 40 "$UV_LOG" >&2; die "archiving libuv failed (log: $UV_LOG)"; }
  touch "$UV_BUILD.tmp/.complete"
  rm -rf "$UV_BUILD"
  mv "$UV_BUILD.tmp" "$UV_BUILD"
else
  log "libuv ${LIBUV_VERSION} for $TARGET up to date in $UV_BUILD"
fi

# ---- (c) our JNI glue -> libuvtcp.so ---------------------------------------------------

CFLAGS_OURS=(
  -std=c11 -O2 -fPIC -fvisibility=hidden -fstack-protector-strong -D_FORTIFY_SOURCE=2
  -Wall -Wextra -Werror "${COMPAT_FLAGS[@]}"
  -I"$JDK_INCLUDE" -I"$JDK_INCLUDE/linux" -I"$UV_SRC/include"
)
LDFLAGS_OURS=(
  -shared -Wl,-z,relro,-z,now -Wl,--exclude-libs,ALL -Wl,--version-script="$MAPFILE"
  -Wl,--as-needed
)
LIBS=(-lpthread -ldl)
if [[ ${#COMPAT_FLAGS[@]} -gt 0 ]]; then
  # stat & co. of glibc 2.33 go to glibc-compat.c; libpthread and libdl are named as needed
  # (since 2.34 empty files of glibc, before that where the old versions bound to live).
  LDFLAGS_OURS+=(-Wl,--wrap=stat64 -Wl,--wrap=lstat64 -Wl,--wrap=fstat64 -Wl,--wrap=stat
    -Wl,--wrap=lstat -Wl,--wrap=fstat)
  LIBS=(-Wl,--no-as-needed -l:libpthread.so.0 -l:libdl.so.2 -Wl,--as-needed)
fi
if [[ "$SANITIZE" == address ]]; then
  # _FORTIFY_SOURCE's checked functions hide accesses from ASan; -O1 keeps reports readable.
  CFLAGS_OURS=("${CFLAGS_OURS[@]/-D_FORTIFY_SOURCE=2/-U_FORTIFY_SOURCE}")
  CFLAGS_OURS=("${CFLAGS_OURS[@]/-O2/-O1}" "${SAN_FLAGS[@]}")
  LDFLAGS_OURS+=("${SAN_FLAGS[@]}")
fi

shopt -s nullglob
C_FILES=("$CSRC"/*.c)
[[ ${#C_FILES[@]} -gt 0 ]] || die "no C sources in $CSRC"
[[ ${#COMPAT_FLAGS[@]} -eq 0 ]] || C_FILES+=("$COMPAT_DIR/glibc-compat.c")

SO="$OUT/libuvtcp.so"
STAMP="$WORK/libuvtcp.stamp"
INPUT_ID="$( { printf '%s\n' "$TARGET" "$CC_ID" "${CFLAGS_OURS[@]}" "${LDFLAGS_OURS[@]}" "${LIBS[@]}";
  cat "$CSRC"/*.c "$CSRC"/*.h "$COMPAT_DIR"/* "$MAPFILE" "$UV_LIB"; } | sha256sum | cut -d' ' -f1)"

if [[ -f "$SO" && -f "$STAMP" && "$(cat "$STAMP")" == "$INPUT_ID" ]]; then
  log "libuvtcp.so for $TARGET up to date"
else
  rm -f "$STAMP"
  OBJS=()
  for c in "${C_FILES[@]}"; do
    o="$WORK/$(basename "${c%.c}").o"
    "$CC" "${SYSROOT_FLAGS[@]}" "${CFLAGS_OURS[@]}" -c "$c" -o "$o" \
      || die "compiling $(basename "$c") for $TARGET failed"
    OBJS+=("$o")
  done
  "$CC" "${SYSROOT_FLAGS[@]}" "${LDFLAGS_OURS[@]}" -o "$SO.tmp" "${OBJS[@]}" "$UV_LIB" "${LIBS[@]}" \
    || die "linking libuvtcp.so for $TARGET failed"
  mv -f "$SO.tmp" "$SO"
  log "built $SO"
fi

# ---- self-check: the right machine, only the JNI entry points exported, libuv built in,
# ---- the glibc floor -------------------------------------------------------------------
# readelf reads ELF files of any architecture, so the same checks run on the cross-built
# library (nm and ldd would need the target's tools or the target's dynamic loader).

reject() { rm -f "$SO"; die "$SO ($TARGET): $*"; }
machine="$(readelf -h "$SO" | sed -n 's/^ *Machine: *//p')"
[[ "$machine" == "$ELF_MACHINE" ]] || reject "ELF machine is '$machine', not '$ELF_MACHINE'"
# Defined dynamic symbols: "Num: Value Size Type Bind Vis Ndx Name", Ndx UND when undefined.
exported="$(readelf --dyn-syms -W "$SO" | awk '$1 ~ /^[0-9]+:$/ && $7 != "UND" && $4 != "SECTION" \
  && $8 != "" { sub(/@.*/, "", $8); print $8 }' | sort -u | tr '\n' ' ')"
[[ "$exported" == "JNI_OnLoad JNI_OnUnload " ]] \
  || reject "must export only JNI_OnLoad and JNI_OnUnload, exports: $exported"
needed="$(readelf -d "$SO" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')"
if grep -qi 'libuv' <<<"$needed"; then
  reject "links a shared libuv (needs: $needed)"
fi
# The newest glibc symbol version any reference needs is the oldest glibc it loads on.
floor="$(readelf -V -W "$SO" | grep -o 'Name: GLIBC_[0-9][0-9.]*' | sed 's/Name: GLIBC_//' \
  | sort -uV | tail -n1)"
if [[ -n "$GLIBC_MAX" && -n "$floor" ]] \
  && [[ "$(printf '%s\n' "$floor" "$GLIBC_MAX" | sort -V | tail -n1)" != "$GLIBC_MAX" ]]; then
  reject "needs glibc $floor, newer than the floor $GLIBC_MAX allowed for it: \
$(readelf -V -W "$SO" | grep -o 'Name: GLIBC_[0-9][0-9.]*' | sort -uV | tr '\n' ' ')"
fi
log "$TARGET library checked: machine $machine, exports ${exported% }, needs ${needed% } (glibc floor ${floor:-unknown})"
echo "$INPUT_ID" >"$STAMP"
