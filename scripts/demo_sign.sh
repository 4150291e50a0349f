#!/usr/bin/env bash
# Signing demo (issue 7), meant to be sourced or pasted into scripts/demo.sh.
# Needs: HG (hullguard), APP (an OCI layout dir holding tag 1.0), skopeo,
# docker-registry. Starts a throw-away registry on 127.0.0.1, signs the sample
# image, verifies it, then shows a copy whose signature was tampered with failing.
set -euo pipefail
HG="${HG:-.venv/bin/hullguard}"
: "${APP:?set APP to the OCI layout of the sample image}"
SIGN_DIR="$(mktemp -d)"
REG_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
cat >"$SIGN_DIR/registry.yml" <<YAML
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $SIGN_DIR/storage}, delete: {enabled: true}}
http: {addr: 127.0.0.1:$REG_PORT}
YAML
docker-registry serve "$SIGN_DIR/registry.yml" >"$SIGN_DIR/registry.log" 2>&1 &
REG_PID=$!
trap 'kill "$REG_PID" 2>/dev/null; rm -rf "$SIGN_DIR"' EXIT
python3 - "$REG_PORT" <<'PY'
import sys, time, urllib.request
for _ in range(100):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/v2/", timeout=1)
        break
    except OSError:
        time.sleep(0.1)
PY
REF="127.0.0.1:$REG_PORT/demo/app:1.0"
skopeo copy -q --dest-tls-verify=false "oci:$APP:1.0" "docker://$REF"

export COSIGN_PASSWORD="demo-password-not-secret"
echo "== hullguard key generate (cosign's key format)"
$HG key generate --output-key-prefix "$SIGN_DIR/demo"
echo
echo "== hullguard sign $REF (signs the digest, stores sha256-<hex>.sig like cosign)"
$HG sign "$REF" --key "$SIGN_DIR/demo.key" -a demo=yes --insecure
echo
echo "== hullguard verify"
$HG verify "$REF" --key "$SIGN_DIR/demo.pub" --insecure
echo
echo "== a tampered copy: the same .sig attached to a different image fails closed"
OTHER="127.0.0.1:$REG_PORT/demo/app:tampered"
skopeo copy -q --dest-tls-verify=false --format v2s2 "oci:$APP:1.0" "docker://$OTHER"
SIGNED=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$REF")
NEW=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$OTHER")
skopeo copy -q --src-tls-verify=false --dest-tls-verify=false \
  "docker://127.0.0.1:$REG_PORT/demo/app:${SIGNED/:/-}.sig" \
  "docker://127.0.0.1:$REG_PORT/demo/app:${NEW/:/-}.sig"
if $HG verify "$OTHER" --key "$SIGN_DIR/demo.pub" --insecure; then
  echo "UNEXPECTED: tampered image verified" >&2
  exit 1
else
  echo "   (exit $? as expected: the signature names $SIGNED, not $NEW)"
fi
