#!/usr/bin/env bash
# `make demo`: hullguard's main jobs on a real sample image built by real tools.
set -euo pipefail
cd "$(dirname "$0")/.."
HG="${HG:-.venv/bin/hullguard}"
PY="${PY:-.venv/bin/python}"
OUT=demo-out
mkdir -p "$OUT"

echo "== building the sample image (mmdebstrap + buildah; cached after the first run)"
APP=$($PY tools/imagebuild.py app-oci)
IMAGE="oci:$APP:1.0"
echo "   $IMAGE"
echo

echo "== hullguard image inspect $IMAGE"
$HG image inspect "$IMAGE"
echo

echo "== hullguard image files --all-layers: files a later layer deleted or replaced (still extractable)"
$HG image files --all-layers "$IMAGE" | awk 'NR==1 || /deleted by|replaced by|whiteout/' | head -40
echo
$HG image files --all-layers -f json -o "$OUT/files.json" "$IMAGE"
echo "   full listing written to $OUT/files.json"
echo

echo "== hullguard sbom: every package with the layer that added it (table; CycloneDX to a file)"
$HG sbom -f table "$IMAGE" | awk 'NR<=3 || /python|npm|golang|go-stdlib/' | head -40
$HG sbom -o "$OUT/sbom.cdx.json" "$IMAGE"
$HG sbom -f spdx-json -o "$OUT/sbom.spdx.json" "$IMAGE"
echo "   CycloneDX 1.6 written to $OUT/sbom.cdx.json, SPDX 2.3 to $OUT/sbom.spdx.json"
echo

echo "== hullguard db import: a local vulnerability database from real advisory data (OSV PyPI/Go, npm, Alpine, Debian OVAL)"
VULNDATA=../shared/vulndata
if [ -d "$VULNDATA" ]; then
  $HG --cache-dir "$OUT/cache" db import "$VULNDATA/osv/pypi" "$VULNDATA/osv/go" "$VULNDATA/npm" \
    "$VULNDATA/distro/alpine-secdb" "$VULNDATA/distro/debian-oval" "$VULNDATA/debian-security-support"
  $HG --cache-dir "$OUT/cache" db status
  echo
  echo "== hullguard scan: vulnerabilities (with the layer that added each package) and secrets"
  $HG --cache-dir "$OUT/cache" scan --fail-on critical "$IMAGE" | head -60 || true
  $HG --cache-dir "$OUT/cache" scan --scanners vuln -f sarif -o "$OUT/scan.sarif" "$IMAGE" || true
  echo "   SARIF written to $OUT/scan.sarif"
else
  echo "   ($VULNDATA not found: skipping; use 'hullguard db update' with network access)"
fi
echo

if [ -d "$VULNDATA" ]; then
  echo "== hullguard inventory: store the sample image and a deployment, then ask the fleet"
  INV="--database $OUT/inventory.db"
  rm -f "$OUT/inventory.db"
  $HG --cache-dir "$OUT/cache" inventory add "$IMAGE" $INV --deployment web --namespace shop \
    --cluster prod-eu --environment prod
  $HG --cache-dir "$OUT/cache" inventory import-k8s tests/data/manifests $INV --cluster prod-eu | tail -3
  echo "-- who-has pypi:requests<2.31"
  $HG inventory who-has 'pypi:requests<2.31' $INV
  echo "-- who-is-affected CVE-2018-18074"
  $HG --cache-dir "$OUT/cache" inventory who-is-affected CVE-2018-18074 $INV
  echo "-- rescan (Markdown digest)"
  $HG --cache-dir "$OUT/cache" inventory rescan -f markdown $INV
  echo
  echo "== hullguard serve: the inventory's HTTP API and dashboard (read-only, on 127.0.0.1)"
  $HG --cache-dir "$OUT/cache" serve $INV --port 0 --read-only 2>"$OUT/serve.log" &
  SERVE_PID=$!
  URL=""
  for _ in $(seq 1 50); do
    URL=$(grep -o 'http://127.0.0.1:[0-9]*' "$OUT/serve.log" | head -1 || true)
    [ -n "$URL" ] && curl -fsS "$URL/healthz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  if [ -n "$URL" ]; then
    echo "   dashboard: $URL/  (API: $URL/api/v1, OpenAPI: $URL/openapi.json)"
    curl -fsS "$URL/" -o "$OUT/dashboard.html" && echo "   dashboard page saved to $OUT/dashboard.html ($(wc -c <"$OUT/dashboard.html") bytes)"
    echo "-- GET /api/v1/who-has?q=pypi:urllib3"
    curl -fsS "$URL/api/v1/who-has?q=pypi:urllib3" | head -c 600; echo
  else
    echo "   serve did not start:"; cat "$OUT/serve.log"
  fi
  kill "$SERVE_PID" 2>/dev/null || true
  wait "$SERVE_PID" 2>/dev/null || true
  echo
fi

echo "== hullguard scan --scanners secret: secrets in every layer, deleted files, history (values redacted)"
$HG scan --scanners secret "$IMAGE" || true
echo

echo "== hullguard scan --scanners misconfig: image hardening"
$HG scan --scanners misconfig "$IMAGE" | tail -8 || true
echo

echo "== hullguard gate and the admission webhook: one policy for CI and the cluster"
HG="$HG" IMAGE="$IMAGE" OUT="$OUT" bash scripts/demo_gate.sh
echo

echo "== signing: key generate, sign in a local registry, verify, a tampered copy failing"
HG="$HG" APP="$APP" bash scripts/demo_sign.sh
echo

echo "== hullguard audit: a Helm-rendered manifest (restricted profile)"
$HG audit tests/data/manifests/helm-rendered.yaml || true
echo
echo "== hullguard audit --diff: the hardening fix, as a diff"
$HG audit --diff tests/data/manifests/helm-rendered.yaml 2>/dev/null || true
echo
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
