#!/usr/bin/env bash
# Fetch Debian trixie's cosign and skopeo (plus the libraries they need) into a
# cache directory, without installing anything system-wide, and write wrapper
# scripts that run them through trixie's own dynamic loader.
#
# Usage: tools/trixie_tools.sh [CACHE_DIR]    (default: <repo>/.cache/trixie-tools)
# Prints the directory holding the wrappers `cosign` and `skopeo` on stdout.
#
# The Debian mirror is read at runtime from /etc/apt/sources.list.d/debian.sources
# (or /etc/apt/sources.list); no host is hard-coded. Idempotent: a finished cache
# (stamp file) is reused.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${1:-$repo_root/.cache/trixie-tools}"
root="$cache/root"
bin="$cache/bin"
stamp="$cache/.done"
packages=(cosign skopeo libc6 libgpgme11t64 libassuan9 libgpg-error0 libsqlite3-0
  libdevmapper1.02.1 libbtrfs0t64 libselinux1 libpcre2-8-0 libudev1 libcap2 libsubid5 libzstd1)

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9  # concurrent test runs wait for one download
if [[ -f "$stamp" && -x "$bin/cosign" && -x "$bin/skopeo" ]]; then
  echo "$bin"
  exit 0
fi

mirror=""
if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
  mirror="$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)"
fi
if [[ -z "$mirror" && -f /etc/apt/sources.list ]]; then
  mirror="$(awk '$1 == "deb" {for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}}' /etc/apt/sources.list)"
fi
if [[ -z "$mirror" ]]; then
  echo "trixie_tools: cannot find a Debian mirror in /etc/apt" >&2
  exit 3
fi

apt="$cache/apt"
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/debs" "$root" "$bin"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
echo "deb [signed-by=$keyring] $mirror trixie main" >"$apt/sources.list"
: >"$apt/status"  # an empty dpkg status: nothing counts as installed
opts=(-o "Dir::Etc::sourcelist=$apt/sources.list" -o "Dir::Etc::sourceparts=-"
  -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
  -o "Dir::State::status=$apt/status" -o "APT::Get::List-Cleanup=0" -o "Debug::NoLocking=1")
apt-get "${opts[@]}" -qq update >&2
(cd "$apt/debs" && apt-get "${opts[@]}" -qq download "${packages[@]}" >&2)
for deb in "$apt/debs"/*.deb; do
  dpkg-deb -x "$deb" "$root"
done

libpath="$root/lib/x86_64-linux-gnu:$root/usr/lib/x86_64-linux-gnu"
loader="$root/lib64/ld-linux-x86-64.so.2"
[[ -e "$loader" ]] || loader="$root/usr/lib64/ld-linux-x86-64.so.2"
[[ -e "$loader" ]] || loader="$root/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
for tool in cosign skopeo; do
  cat >"$bin/$tool" <<EOF
#!/bin/sh
exec "$loader" --library-path "$libpath" "$root/usr/bin/$tool" "\$@"
EOF
  chmod +x "$bin/$tool"
done
"$bin/cosign" version >/dev/null 2>&1 || { echo "trixie_tools: cosign does not run" >&2; exit 3; }
"$bin/skopeo" --version >/dev/null 2>&1 || { echo "trixie_tools: skopeo does not run" >&2; exit 3; }
touch "$stamp"
echo "$bin"
