#!/usr/bin/env bash
# Sets up a Debian Java 17 of another architecture or another Debian release, run on this
# x86-64 machine under QEMU's user-mode emulation, for the test runs of this module; fetched,
# never installed.
#
#   bash emulated-jvm.sh --arch=arm64|amd64 [--release=CODENAME] --cache=DIR --work=DIR \
#        --launcher=FILE
#
#   --arch      Debian's name of the architecture whose JVM is wanted
#   --release   the Debian release to take it from: this machine's (default; bookworm on
#               Debian 12: glibc 2.36) or bullseye (Debian 11: glibc 2.31, for the glibc floor)
#   --cache     the build's cache (~/.cache/uvtcp): the emulator goes to
#               CACHE/qemu-user-static-KEY, the sysroot with the JRE to
#               CACHE/sysroot-ARCH-RELEASE-KEY
#   --work      where logs go (target/)
#   --launcher  a script written here that runs that java (Surefire's <jvm>); its path must
#               end in bin/java
#
# What it fetches with ../bundle-native/src/main/native/fetch-debs.sh (a private apt
# configuration: the machine's apt sources, architectures and package state are not changed;
# `dpkg --print-foreign-architectures` stays as it was):
#   - qemu-user-static (amd64), of which only usr/bin/qemu-aarch64-static and
#     usr/bin/qemu-x86_64-static are unpacked;
#   - openjdk-17-jre-headless and the libraries its JVM, launcher and the libraries the tests
#     load need: libc6, libgcc-s1, libstdc++6, zlib1g (AWT's are left out). From bullseye at
#     the versions of its main archive (its security archive is not reachable from here).
#
# binfmt_misc is not mounted on these machines, so the kernel cannot run an arm64 program by
# itself, nor an x86-64 one against another glibc: every executable of the JRE that the JVM
# starts is replaced in the sysroot by a host shell script that runs the original (renamed
# *.emulated) under qemu -L SYSROOT. That covers bin/java (what Surefire starts, and what
# tests start as java.home/bin/java) and lib/jspawnhelper (through which the JVM starts
# every child process). The paths the emulated programs open (/lib/ld-linux-*.so.*,
# /usr/lib/TRIPLET/...) are looked up in SYSROOT first by qemu (-L), then on the host; so that
# a library is never taken from the host, the sysroot's /lib/TRIPLET and /usr/lib/TRIPLET are
# given each other's files (bullseye splits them; the host's /lib is /usr/lib).
#
# A second run finds everything in the cache (marked complete) and downloads nothing.
set -euo pipefail

die() { echo "uvtcp emulated jvm: ERROR: $*" >&2; exit 1; }

ARCH="" RELEASE="" CACHE="" WORK="" LAUNCHER=""
for arg in "$@"; do
  case "$arg" in
    --arch=*)     ARCH="${arg#*=}" ;;
    --release=*)  RELEASE="${arg#*=}" ;;
    --cache=*)    CACHE="${arg#*=}" ;;
    --work=*)     WORK="${arg#*=}" ;;
    --launcher=*) LAUNCHER="${arg#*=}" ;;
    *) die "unknown argument: $arg" ;;
  esac
done
[[ -n "$ARCH" && -n "$CACHE" && -n "$WORK" && -n "$LAUNCHER" ]] \
  || die "--arch, --cache, --work and --launcher are required"
[[ "$LAUNCHER" == */bin/java ]] || die "--launcher must end in bin/java (Surefire wants that)"
case "$ARCH" in
  arm64) QEMU_NAME=qemu-aarch64-static TRIPLET=aarch64-linux-gnu JAVA_ARCH=aarch64 ;;
  amd64) QEMU_NAME=qemu-x86_64-static  TRIPLET=x86_64-linux-gnu  JAVA_ARCH=amd64 ;;
  *) die "--arch must be arm64 or amd64, not '$ARCH'" ;;
esac
HOST_RELEASE="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
[[ -n "$RELEASE" ]] || RELEASE="$HOST_RELEASE"
case "$RELEASE" in
  "$HOST_RELEASE")
    JRE_PKGS=("openjdk-17-jre-headless:$ARCH" "libc6:$ARCH")
    RELEASE_OPT=() ;;
  bullseye)
    JRE_PKGS=("openjdk-17-jre-headless:$ARCH=17.0.12+7-2~deb11u1" "libc6:$ARCH=2.31-13+deb11u11")
    RELEASE_OPT=(--release=bullseye) ;;
  *) die "--release must be this machine's ($HOST_RELEASE) or bullseye, not '$RELEASE'" ;;
esac
JRE_PKGS+=("libgcc-s1:$ARCH" "libstdc++6:$ARCH" "zlib1g:$ARCH")

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
FETCH="$HERE/../bundle-native/src/main/native/fetch-debs.sh"
[[ -f "$FETCH" ]] || die "$FETCH not found"
[[ "$(uname -m)" == x86_64 ]] || die "these emulated runs are for x86-64 machines (this is $(uname -m))"

mkdir -p "$CACHE" "$WORK"
CACHE="$(cd "$CACHE" && pwd)"
# The same lock as the native build's: one writer of the cache at a time.
exec 9>"$CACHE/.lock"
flock 9

key() { printf '%s\n' "$@" | sha256sum | cut -c1-12; }

QEMU_EXTRACT=(--extract=./usr/bin/qemu-aarch64-static --extract=./usr/bin/qemu-x86_64-static)
QEMU_DIR="$CACHE/qemu-user-static-$(key qemu-user-static "${QEMU_EXTRACT[@]}")"
bash "$FETCH" --dest="$QEMU_DIR" --work="$WORK" "${QEMU_EXTRACT[@]}" qemu-user-static
QEMU="$QEMU_DIR/usr/bin/$QEMU_NAME"
[[ -x "$QEMU" ]] || die "no $QEMU"

# "layout 2": the sysroot as this script leaves it (wrappers, merged library directories).
SYSROOT="$CACHE/sysroot-$ARCH-$RELEASE-$(key "layout 2" "${JRE_PKGS[@]}")"
bash "$FETCH" --dest="$SYSROOT" --work="$WORK" --arch="$ARCH" "${RELEASE_OPT[@]}" "${JRE_PKGS[@]}"
JAVA_HOME_EMU="$SYSROOT/usr/lib/jvm/java-17-openjdk-$ARCH"
[[ -f "$JAVA_HOME_EMU/release" ]] || die "no Java runtime in $JAVA_HOME_EMU"

if [[ ! -f "$SYSROOT/.usr-merged" ]]; then
  for pair in "lib usr/lib" "usr/lib lib"; do
    read -r from to <<<"$pair"
    [[ -d "$SYSROOT/$from/$TRIPLET" ]] || continue
    mkdir -p "$SYSROOT/$to/$TRIPLET"
    for f in "$SYSROOT/$from/$TRIPLET"/*; do
      b="$(basename "$f")"
      if [[ ! -e "$SYSROOT/$to/$TRIPLET/$b" && ! -L "$SYSROOT/$to/$TRIPLET/$b" ]]; then
        ln -s "$(realpath -m --relative-to="$SYSROOT/$to/$TRIPLET" "$f")" "$SYSROOT/$to/$TRIPLET/$b"
      fi
    done
  done
  touch "$SYSROOT/.usr-merged"
fi

# The wrappers: written once (their paths depend on where the cache is, so not in the
# package), rewritten if the cache moved.
wrap() {
  local exe="$1"
  local script
  script="#!/bin/sh
# $ARCH program of $RELEASE run under QEMU user-mode emulation (written by uvtcp's emulated-jvm.sh).
exec '$QEMU' -L '$SYSROOT' '$exe.emulated' \"\$@\"
"
  if [[ ! -f "$exe.emulated" ]]; then
    mv "$exe" "$exe.emulated"
  fi
  if [[ ! -f "$exe" || "$(cat "$exe")" != "$script" ]]; then
    printf '%s' "$script" >"$exe.tmp"
    chmod 755 "$exe.tmp"
    mv -f "$exe.tmp" "$exe"
  fi
}
wrap "$JAVA_HOME_EMU/bin/java"
wrap "$JAVA_HOME_EMU/lib/jspawnhelper"

out="$("$JAVA_HOME_EMU/bin/java" -XshowSettings:properties -version 2>&1)" \
  || die "the $ARCH java of $RELEASE does not start under $QEMU: $out"
grep -q "os.arch = $JAVA_ARCH" <<<"$out" \
  || die "the emulated java does not say os.arch = $JAVA_ARCH: $out"
glibc="$(sed -n "s/^Package: libc6 Architecture: $ARCH Version: \([^ ]*\).*/\1/p" "$SYSROOT/.packages")"
mkdir -p "$(dirname "$LAUNCHER")"
printf '#!/bin/sh\n# The %s Java 17 of %s (glibc %s) under QEMU (written by emulated-jvm.sh).\nexec %s "$@"\n' \
  "$ARCH" "$RELEASE" "$glibc" "'$JAVA_HOME_EMU/bin/java'" >"$LAUNCHER.tmp"
chmod 755 "$LAUNCHER.tmp"
mv -f "$LAUNCHER.tmp" "$LAUNCHER"
echo "uvtcp emulated tests: $ARCH Java $(sed -n 's/^ *java.runtime.version = //p' <<<"$out") \
of $RELEASE, glibc $glibc, under $("$QEMU" --version | head -n1), launched by $LAUNCHER"
