#!/usr/bin/env bash
# Fetches Debian binary packages and unpacks them into a private directory, without
# installing anything and without changing the machine's apt configuration or state.
#
#   bash fetch-debs.sh --dest=DIR --work=DIR [--arch=ARCH]... [--extract=PATH]... \
#        [--release=CODENAME] PKG[:ARCH]...
#
#   --dest     where the packages' files go (DIR/usr/bin/...); left alone when DIR/.complete
#              exists, so a second build neither downloads nor unpacks anything
#   --work     where apt's log goes (apt-debs-<name of DEST>.log), shown only if apt fails
#   --arch     a foreign architecture whose package lists apt may read (e.g. arm64); the
#              machine's own architecture is always included. apt learns it only through this
#              private configuration: `dpkg --print-foreign-architectures` stays as it was
#   --extract  unpack only this path of every package (e.g. ./usr/bin/qemu-aarch64-static);
#              may be repeated; default: everything
#   --release  take the packages from another Debian release than the machine's (e.g.
#              bullseye on a bookworm machine): its codename replaces the machine's in the
#              copied sources (bookworm-updates becomes bullseye-updates, and so on)
#
# How (the same private-configuration idea as build.sh's fetch of libuv's source): a copy of
# the machine's apt sources (their binary entries) in a temporary directory, given to apt with
# Dir::Etc::SourceList / SourceParts, its own Dir::State::Lists and no package caches; then
# `apt-get download` of exactly the packages named (no dependency resolution: the caller names
# what it needs) into that directory, `dpkg-deb -x` of each into DEST.tmp, and DEST.tmp is
# renamed to DEST once complete. Absolute symbolic links inside the packages (Debian's JDK
# points into /etc) are made relative, so they resolve inside DEST wherever DEST is.
# DEST/.packages records what was unpacked (package, architecture, version).
#
# Output: one progress line on stdout; apt's chatter in the log; errors on stderr.
set -euo pipefail

die() { echo "uvtcp fetch-debs: ERROR: $*" >&2; exit 1; }
log() { echo "uvtcp native build: $*"; }

DEST="" WORK="" RELEASE=""
ARCHES=() EXTRACT=() PKGS=()
for arg in "$@"; do
  case "$arg" in
    --dest=*)    DEST="${arg#*=}" ;;
    --work=*)    WORK="${arg#*=}" ;;
    --arch=*)    ARCHES+=("${arg#*=}") ;;
    --extract=*) EXTRACT+=("${arg#*=}") ;;
    --release=*) RELEASE="${arg#*=}" ;;
    --*)         die "unknown argument: $arg" ;;
    *)           PKGS+=("$arg") ;;
  esac
done
[[ -n "$DEST" ]] || die "--dest is required"
[[ -n "$WORK" ]] || die "--work is required"
[[ ${#PKGS[@]} -gt 0 ]] || die "no packages named"

if [[ -f "$DEST/.complete" ]]; then
  exit 0
fi

missing=()
for tool in apt-get dpkg dpkg-deb tar realpath; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
[[ ${#missing[@]} -eq 0 ]] || die "cannot fetch ${PKGS[*]}: missing ${missing[*]} (this needs \
Debian's apt and dpkg; on Debian 12 they are always there)"

mkdir -p "$WORK" "$(dirname "$DEST")"
WORK="$(cd "$WORK" && pwd)"
priv="$(mktemp -d "${TMPDIR:-/tmp}/uvtcp-apt.XXXXXX")"
# shellcheck disable=SC2064
trap "rm -rf '$priv' '$DEST.tmp'" EXIT
mkdir -p "$priv/parts" "$priv/lists/partial" "$priv/dl"
# An empty package state: what the machine has installed must not decide which version apt
# picks (an installed newer version would win for the machine's own architecture).
: >"$priv/status"

# The machine's sources, binary entries only (a deb822 stanza lists its types on one line).
n=0
for f in /etc/apt/sources.list.d/*.sources; do
  [[ -f "$f" ]] || continue
  awk 'BEGIN { RS = ""; ORS = "\n\n" } /(^|\n)Types:[^\n]*[ \t]deb([ \t]|\n|$)/' "$f" \
    | sed -E 's/^Types:.*$/Types: deb/' >"$priv/parts/$(basename "$f")"
  n=$((n + 1))
done
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
  [[ -f "$f" ]] || continue
  grep -E '^[[:space:]]*deb[[:space:]]' "$f" >"$priv/parts/$(basename "$f")" || true
  n=$((n + 1))
done
[[ $n -gt 0 ]] || die "no apt sources found under /etc/apt"
if [[ -n "$RELEASE" ]]; then
  codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
  [[ -n "$codename" ]] || die "--release: this machine's Debian codename is unknown (/etc/os-release)"
  [[ "$RELEASE" =~ ^[a-z]+$ ]] || die "--release: '$RELEASE' is not a Debian codename"
  sed -i -E "s/\b$codename(-[a-z]+)?\b/$RELEASE\1/g" "$priv"/parts/*
fi
chmod -R a+rX "$priv"   # apt downloads as the unprivileged _apt user when run as root

native="$(dpkg --print-architecture)"
opts=(
  -o "Dir::Etc::SourceList=/dev/null"
  -o "Dir::Etc::SourceParts=$priv/parts"
  -o "Dir::State::Lists=$priv/lists"
  -o "Dir::State::status=$priv/status"
  -o "Dir::State::extended_states=$priv/extended_states"
  -o "Dir::Cache::pkgcache="
  -o "Dir::Cache::srcpkgcache="
  -o "APT::Sandbox::User=$(id -un)"
  -o "APT::Architecture=$native"
  -o "APT::Architectures::=$native"
)
for a in "${ARCHES[@]}"; do opts+=(-o "APT::Architectures::=$a"); done

name="$(basename "$DEST")"
apt_log="$WORK/apt-debs-$name.log"
: >"$apt_log"
log "fetching ${PKGS[*]} from Debian into $DEST (private apt lists; nothing installed)"
apt-get -q "${opts[@]}" update >>"$apt_log" 2>&1 \
  || { tail -n 40 "$apt_log" >&2; die "apt-get update (private lists) failed (log: $apt_log)"; }
(cd "$priv/dl" && apt-get -q "${opts[@]}" download "${PKGS[@]}" >>"$apt_log" 2>&1) \
  || { tail -n 40 "$apt_log" >&2; die "apt-get download ${PKGS[*]} failed (log: $apt_log)"; }

rm -rf "$DEST.tmp"
mkdir -p "$DEST.tmp"
: >"$DEST.tmp/.packages"
shopt -s nullglob
debs=("$priv"/dl/*.deb)
[[ ${#debs[@]} -eq ${#PKGS[@]} ]] || die "asked for ${#PKGS[@]} packages, apt downloaded \
${#debs[@]} (log: $apt_log)"
for deb in "${debs[@]}"; do
  if [[ ${#EXTRACT[@]} -gt 0 ]]; then
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$DEST.tmp" "${EXTRACT[@]}" \
      || die "$(basename "$deb") has no ${EXTRACT[*]}"
  else
    dpkg-deb -x "$deb" "$DEST.tmp" || die "cannot unpack $(basename "$deb")"
  fi
  dpkg-deb -f "$deb" Package Architecture Version | tr '\n' ' ' >>"$DEST.tmp/.packages"
  echo >>"$DEST.tmp/.packages"
done

# Absolute links point at the machine's own files (/etc/java-17-openjdk/...): relative ones
# point at the unpacked copies. A link whose target was not unpacked stays dangling.
root="$(cd "$DEST.tmp" && pwd)"
while IFS= read -r -d '' link; do
  target="$(readlink "$link")"
  ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$root$target")" "$link"
done < <(find "$root" -type l -lname '/*' -print0)

touch "$DEST.tmp/.complete"
rm -rf "$DEST"
mv "$DEST.tmp" "$DEST"
rm -rf "$priv"
trap - EXIT
