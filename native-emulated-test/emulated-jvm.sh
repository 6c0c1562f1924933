#!/usr/bin/env bash
# Sets up an arm64 Java 17 that runs on this x86-64 machine under QEMU's user-mode emulation,
# for the arm64 test runs of this module; fetched, never installed.
#
#   bash aarch64-jvm.sh --cache=DIR --work=DIR --launcher=FILE
#
#   --cache     the build's cache (~/.cache/uvtcp): the emulator goes to
#               CACHE/qemu-aarch64-KEY, the arm64 sysroot with the JRE to CACHE/sysroot-arm64-KEY
#   --work      where logs go (target/)
#   --launcher  a script written here that runs the arm64 java (Surefire's <jvm>)
#
# What it fetches with ../bundle-native/src/main/native/fetch-debs.sh (a private apt
# configuration: the machine's apt sources, architectures and package state are not changed;
# `dpkg --print-foreign-architectures` stays as it was):
#   - qemu-user-static (amd64), of which only usr/bin/qemu-aarch64-static is unpacked;
#   - openjdk-17-jre-headless:arm64 and the arm64 libraries its JVM, launcher and the
#     libraries the tests load need: libc6, libgcc-s1, libstdc++6, zlib1g (AWT's are left out).
# binfmt_misc is not mounted on these machines, so the kernel cannot run an arm64 program by
# itself: every arm64 executable the JVM starts is replaced in the sysroot by a host shell
# script that runs the original (renamed *.aarch64) under qemu-aarch64-static -L SYSROOT.
# That covers bin/java (what Surefire starts, and what tests start as java.home/bin/java) and
# lib/jspawnhelper (through which the JVM starts every child process). Paths the arm64
# programs open (/lib/ld-linux-aarch64.so.1, /usr/lib/aarch64-linux-gnu/...) are looked up in
# SYSROOT first by qemu (-L), then on the host.
#
# A second run finds everything in the cache (marked complete) and downloads nothing.
set -euo pipefail

die() { echo "uvtcp aarch64 jvm: ERROR: $*" >&2; exit 1; }

CACHE="" WORK="" LAUNCHER=""
for arg in "$@"; do
  case "$arg" in
    --cache=*) CACHE="${arg#*=}" ;;
    --work=*)  WORK="${arg#*=}" ;;
    --launcher=*) LAUNCHER="${arg#*=}" ;;
    *) die "unknown argument: $arg" ;;
  esac
done
[[ -n "$CACHE" && -n "$WORK" && -n "$LAUNCHER" ]] || die "--cache, --work and --launcher are required"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
FETCH="$HERE/../bundle-native/src/main/native/fetch-debs.sh"
[[ -f "$FETCH" ]] || die "$FETCH not found"
[[ "$(uname -m)" == x86_64 ]] || die "this emulated run is for x86-64 machines (this is $(uname -m))"

mkdir -p "$CACHE" "$WORK"
CACHE="$(cd "$CACHE" && pwd)"
# The same lock as the native build's: one writer of the cache at a time.
exec 9>"$CACHE/.lock"
flock 9

QEMU_PKGS=(qemu-user-static)
QEMU_DIR="$CACHE/qemu-aarch64-$(printf '%s\n' "${QEMU_PKGS[@]}" | sha256sum | cut -c1-12)"
bash "$FETCH" --dest="$QEMU_DIR" --work="$WORK" --extract=./usr/bin/qemu-aarch64-static \
  "${QEMU_PKGS[@]}"
QEMU="$QEMU_DIR/usr/bin/qemu-aarch64-static"

JRE_PKGS=(openjdk-17-jre-headless:arm64 libc6:arm64 libgcc-s1:arm64 libstdc++6:arm64 zlib1g:arm64)
SYSROOT="$CACHE/sysroot-arm64-$(printf '%s\n' "${JRE_PKGS[@]}" | sha256sum | cut -c1-12)"
bash "$FETCH" --dest="$SYSROOT" --work="$WORK" --arch=arm64 "${JRE_PKGS[@]}"
JAVA_HOME_ARM64="$SYSROOT/usr/lib/jvm/java-17-openjdk-arm64"
[[ -f "$JAVA_HOME_ARM64/release" ]] || die "no Java runtime in $JAVA_HOME_ARM64"

# The wrappers: written once (their paths depend on where the cache is, so not in the
# package), replaced if the cache moved.
wrap() {
  local exe="$1"
  local script
  script="#!/bin/sh
# arm64 program run under QEMU user-mode emulation (written by uvtcp's aarch64-jvm.sh).
exec '$QEMU' -L '$SYSROOT' '$exe.aarch64' \"\$@\"
"
  if [[ ! -f "$exe.aarch64" ]]; then
    mv "$exe" "$exe.aarch64"
  fi
  if [[ ! -f "$exe" || "$(cat "$exe")" != "$script" ]]; then
    printf '%s' "$script" >"$exe.tmp"
    chmod 755 "$exe.tmp"
    mv -f "$exe.tmp" "$exe"
  fi
}
wrap "$JAVA_HOME_ARM64/bin/java"
wrap "$JAVA_HOME_ARM64/lib/jspawnhelper"

out="$("$JAVA_HOME_ARM64/bin/java" -XshowSettings:properties -version 2>&1)" \
  || die "the arm64 java does not start under $QEMU: $out"
grep -q 'os.arch = aarch64' <<<"$out" || die "the emulated java does not say os.arch = aarch64: $out"
mkdir -p "$(dirname "$LAUNCHER")"
printf '#!/bin/sh\n# The arm64 Java 17 of %s under QEMU (written by aarch64-jvm.sh).\nexec %s "$@"\n' \
  "$SYSROOT" "'$JAVA_HOME_ARM64/bin/java'" >"$LAUNCHER.tmp"
chmod 755 "$LAUNCHER.tmp"
mv -f "$LAUNCHER.tmp" "$LAUNCHER"
echo "uvtcp aarch64 tests: arm64 $(sed -n 's/^ *java.runtime.version = //p' <<<"$out") under \
$("$QEMU" --version | head -n1), launched by $LAUNCHER"
