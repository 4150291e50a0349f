#!/usr/bin/env bash
set -euo pipefail
cd "$(dirname "$0")/.."
HG="${HG:-.venv/bin/hullguard}"

echo "== hullguard audit: a Helm-rendered manifest (restricted profile)"
$HG audit tests/data/manifests/helm-rendered.yaml || true
echo
echo "== hullguard audit --diff: the hardening fix, as a diff"
$HG audit --diff tests/data/manifests/helm-rendered.yaml 2>/dev/null || true
