#!/usr/bin/env bash
set -euo pipefail
cd "$(dirname "$0")/.."
HG="${HULLGUARD:-.venv/bin/hullguard}"
[ -x "${HG%% *}" ] || command -v "${HG%% *}" >/dev/null || HG="python3 -m hullguard"

echo "== hullguard lint: a Dockerfile that copies a key and deletes it too late"
$HG lint tests/data/dockerfiles/11-ssh-key-removed.Dockerfile || true

echo "== hullguard lint --diff: the fixes (secret mount, digest pins, non-root USER)"
pins="$(mktemp)"
trap 'rm -f "$pins"' EXIT
cat > "$pins" <<PINS
golang:1.22.5-alpine: sha256:$(printf '0%.0s' {1..64})
alpine:3.19: sha256:$(printf '1%.0s' {1..64})
PINS
$HG lint tests/data/dockerfiles/11-ssh-key-removed.Dockerfile --diff --pin-map "$pins" || true
