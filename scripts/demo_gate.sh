#!/usr/bin/env bash
# Part of `make demo`: the gate on the sample image (one blocking and one allowing
# policy), then the admission webhook answering one denied and one allowed review.
# Needs HG, IMAGE and OUT from demo.sh; loopback only.
set -euo pipefail
HG="${HG:-.venv/bin/hullguard}"
OUT="${OUT:-demo-out}"
DB="$OUT/cache/db/vuln.db"
work="$(mktemp -d)"
server=""
cleanup() { if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi; rm -rf "$work"; }
trap cleanup EXIT

cat > "$work/block.yaml" <<'YAML'
vulnerabilities: {actions: {CRITICAL: block, HIGH: block, MEDIUM: track, LOW: log}}
secrets: {categories: [cloud-key, vcs-token]}
YAML
cat > "$work/allow.yaml" <<'YAML'
vulnerabilities:
  actions: {CRITICAL: block, HIGH: review, MEDIUM: log}
  onlyFixed: true
  exceptions:
    - {id: PYSEC-2024-60, owner: platform-team, reason: idna parses trusted input only, expires: "2099-01-01"}
YAML
if [ -f "$DB" ]; then
  echo "-- policy that blocks HIGH findings and leaked keys (exit 1 expected)"
  $HG --cache-dir "$OUT/cache" gate "$IMAGE" --policy "$work/block.yaml" | head -12 || echo "   exit $?"
  echo "-- policy that asks for review of HIGH findings, with an exception (exit 0)"
  $HG --cache-dir "$OUT/cache" gate "$IMAGE" --policy "$work/allow.yaml" -f sarif -o "$OUT/gate.sarif" \
    && echo "   allowed (review); SARIF written to $OUT/gate.sarif"
else
  echo "   (no vulnerability database: skipping the image gate)"
fi
echo

echo "-- hullguard serve --admission on https://127.0.0.1 (runtime policy: restricted profile)"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=127.0.0.1" \
  -addext "subjectAltName=IP:127.0.0.1" -keyout "$work/tls.key" -out "$work/tls.crt" 2>/dev/null
echo "runtime: {profile: restricted}" > "$work/runtime.yaml"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
$HG serve --admission --policy "$work/runtime.yaml" --tls-cert "$work/tls.crt" --tls-key "$work/tls.key" \
  --host 127.0.0.1 --port "$port" --audit-log "$OUT/admission-audit.jsonl" 2>"$OUT/admission-serve.log" &
server=$!
for _ in $(seq 300); do  # up to 30 s on a busy machine
  curl -sf --cacert "$work/tls.crt" "https://127.0.0.1:$port/healthz" >/dev/null && break
  kill -0 "$server" 2>/dev/null || { echo "   the webhook exited early:"; cat "$OUT/admission-serve.log"; exit 3; }
  sleep 0.1
done
review() {  # $1 = pod spec JSON
  printf '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"%s","kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},"namespace":"shop","operation":"CREATE","userInfo":{"username":"alice"},"object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"},"spec":%s},"dryRun":false}}' "$(cat /proc/sys/kernel/random/uuid)" "$1" \
    | curl -s --cacert "$work/tls.crt" -H 'Content-Type: application/json' --data-binary @- "https://127.0.0.1:$port/validate"
  echo
}
PIN="ghcr.io/example/app@sha256:$(printf 'a%.0s' {1..64})"
echo "-- a privileged pod with a tag (denied):"
review '{"containers":[{"name":"app","image":"ghcr.io/example/app:1.0","securityContext":{"privileged":true}}]}' | cut -c1-400
echo "-- a hardened, digest-pinned pod (allowed):"
review '{"automountServiceAccountToken":false,"securityContext":{"runAsNonRoot":true,"runAsUser":10001,"seccompProfile":{"type":"RuntimeDefault"}},"containers":[{"name":"app","image":"'"$PIN"'","imagePullPolicy":"Always","securityContext":{"allowPrivilegeEscalation":false,"readOnlyRootFilesystem":true,"runAsNonRoot":true,"capabilities":{"drop":["ALL"]}},"resources":{"limits":{"cpu":"500m","memory":"256Mi"},"requests":{"cpu":"100m","memory":"128Mi"}}}]}'
echo "   decisions logged to $OUT/admission-audit.jsonl"
