#!/usr/bin/env bash
# Fetches libuv's pinned source release into the cache: download, checksum, unpack. build.sh
# then builds from the cache alone, without any network (offline once this has run once).
#
# Called by Maven (exec-maven-plugin, phase generate-sources) from the module directory:
#
#   bash src/main/native/fetch-libuv.sh --libuv-version=V --libuv-sha256=H --cache=DIR \
#        --work=DIR [--libuv-src=DIR]
#
#   --libuv-version  libuv release, e.g. 1.44.2
#   --libuv-sha256   sha256 of Debian's libuv1_<version>.orig.tar.gz (the upstream release)
#   --cache          where the tarball goes (CACHE/libuv1_VERSION.orig.tar.gz) and where it
#                    is unpacked, untouched, into CACHE/src-VERSION-SHA12 (build.sh unpacks
#                    its own patched copy from the tarball; the C benchmark in bench/ builds
#                    from the pristine tree)
#   --work           where apt's log goes (WORK/apt-fetch.log), shown only if apt fails
#   --libuv-src      an unpacked libuv source tree the build uses instead: then there is
#                    nothing to fetch. When empty, UVTCP_LIBUV_SRC is used if set
#
# A cached tarball is only checked against the sha256 (a mismatch is an error, never a
# silent download). A missing one comes from Debian's source package libuv1, fetched with a
# private apt configuration: a copy of the machine's sources as deb-src entries, its own
# lists folder, no package caches, so the machine's apt configuration and state stay as they
# are. Nothing is installed.
#
# Every tool this needs is checked first; what is missing is named in one message.
# Output: progress on stdout, errors on stderr.
set -euo pipefail

die() { echo "uvtcp native build: ERROR: $*" >&2; exit 1; }
log() { echo "uvtcp native build: $*"; }

LIBUV_VERSION="" LIBUV_SHA256="" CACHE="" WORK="" LIBUV_SRC=""
for arg in "$@"; do
  case "$arg" in
    --libuv-version=*)  LIBUV_VERSION="${arg#*=}" ;;
    --libuv-sha256=*)   LIBUV_SHA256="${arg#*=}" ;;
    --cache=*)          CACHE="${arg#*=}" ;;
    --work=*)           WORK="${arg#*=}" ;;
    --libuv-src=*)      LIBUV_SRC="${arg#*=}" ;;
    *) die "unknown argument: $arg" ;;
  esac
done
# An unset Maven property arrives literally as ${...}: treat it as empty.
case "$LIBUV_SRC" in '${'*) LIBUV_SRC="" ;; esac
if [[ -z "$LIBUV_SRC" && -n "${UVTCP_LIBUV_SRC:-}" ]]; then LIBUV_SRC="$UVTCP_LIBUV_SRC"; fi

[[ -n "$LIBUV_VERSION" ]] || die "--libuv-version is required"
[[ -n "$LIBUV_SHA256" ]] || die "--libuv-sha256 is required"
[[ -n "$CACHE" ]] || die "--cache is required"
[[ -n "$WORK" ]] || die "--work is required"

if [[ -n "$LIBUV_SRC" ]]; then
  log "libuv's source is the given tree $LIBUV_SRC: nothing to fetch"
  exit 0
fi

TARBALL_NAME="libuv1_${LIBUV_VERSION}.orig.tar.gz"

# ---- prerequisites, all checked before anything is done --------------------------------

check_prerequisites() {
  local -a missing=()
  local tool
  for tool in tar gzip sha256sum flock; do
    command -v "$tool" >/dev/null || missing+=("'$tool' (coreutils, tar, gzip, util-linux)")
  done
  if [[ ! -f "$CACHE/$TARBALL_NAME" ]] && ! command -v apt-get >/dev/null; then
    missing+=("libuv ${LIBUV_VERSION}'s source: it is fetched from Debian's source packages \
with apt-get, which this system lacks; give an unpacked libuv ${LIBUV_VERSION} source tree \
with -Dlibuv.source.dir=DIR (or UVTCP_LIBUV_SRC=DIR), or put $TARBALL_NAME (sha256 \
${LIBUV_SHA256}) into $CACHE")
  fi
  if [[ ${#missing[@]} -gt 0 ]]; then
    local message="" item
    for item in "${missing[@]}"; do message+=$'\n'"  - $item"; done
    die "cannot fetch libuv's source; missing:$message"
  fi
}
check_prerequisites

mkdir -p "$CACHE" "$WORK"
CACHE="$(cd "$CACHE" && pwd)"
WORK="$(cd "$WORK" && pwd)"
TARBALL="$CACHE/$TARBALL_NAME"

# One writer at a time per cache directory (build.sh takes the same lock).
exec 9>"$CACHE/.lock"
flock 9

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

fetch_from_debian() {
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
  # apt talks a lot (about 25 lines): kept in a log, shown only if it fails.
  local apt_log="$WORK/apt-fetch.log"
  : >"$apt_log"
  apt-get -q "${opts[@]}" update >>"$apt_log" 2>&1 \
    || { tail -n 40 "$apt_log" >&2; die "apt-get update (private deb-src lists) failed (log: \
$apt_log)"; }
  (cd "$priv/dl" && apt-get -q "${opts[@]}" source --download-only libuv1 >>"$apt_log" 2>&1) \
    || { tail -n 40 "$apt_log" >&2; die "apt-get source --download-only libuv1 failed (log: \
$apt_log)"; }
  local got="$priv/dl/$TARBALL_NAME"
  [[ -f "$got" ]] || die "Debian's libuv1 source package does not carry version ${LIBUV_VERSION} \
(got: $(ls "$priv/dl" | tr '\n' ' ')); put $TARBALL_NAME into $CACHE or give \
-Dlibuv.source.dir=..."
  local sum
  sum="$(sha256_of "$got")"
  [[ "$sum" == "$LIBUV_SHA256" ]] || die "sha256 mismatch for downloaded $(basename "$got"): \
expected $LIBUV_SHA256, got $sum"
  cp "$got" "$TARBALL.tmp.$$"
  mv -f "$TARBALL.tmp.$$" "$TARBALL"
  rm -rf "$priv"
  trap - EXIT
}

if [[ -f "$TARBALL" ]]; then
  sum="$(sha256_of "$TARBALL")"
  [[ "$sum" == "$LIBUV_SHA256" ]] || die "sha256 mismatch for cached $TARBALL: expected \
$LIBUV_SHA256, got $sum (delete the file to download it again)"
else
  fetch_from_debian
fi

# The pristine tree, unpacked once.
UV_SRC="$CACHE/src-${LIBUV_VERSION}-${LIBUV_SHA256:0:12}"
if [[ ! -f "$UV_SRC/.complete" ]]; then
  log "unpacking $TARBALL_NAME into $UV_SRC"
  rm -rf "$UV_SRC" "$UV_SRC.tmp"
  mkdir -p "$UV_SRC.tmp"
  tar -xzf "$TARBALL" -C "$UV_SRC.tmp" --strip-components=1
  [[ -f "$UV_SRC.tmp/CMakeLists.txt" ]] || die "$TARBALL does not look like a libuv source release"
  touch "$UV_SRC.tmp/.complete"
  mv "$UV_SRC.tmp" "$UV_SRC"
fi
