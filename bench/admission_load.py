#!/usr/bin/env python3
"""Bounded admission-webhook load test on 127.0.0.1: fixed rate, real HTTPS, real registry.

Setup: docker-registry on loopback, N small images (umoci) pushed with skopeo,
signed with ``hullguard sign``, plus one unsigned image. The webhook runs in a
child process with a policy requiring the signature, an allowed registry and the
restricted runtime profile. The client (this process) sends AdmissionReviews
(Pods, images pinned by digest) at a fixed rate for a fixed time:

- ``hot``: images whose verification result is cached (the steady state);
- ``cold``: images whose cached verification is evicted every 20 ms in the
  server, so most of these reviews go to the registry (manifest, signature tag,
  signature blob) — the uncached path;
- ``deny``: the unsigned image (must be denied: counts wrong decisions).

Latency is measured from the scheduled send time (queueing included: no
coordinated omission). Usage:

    python bench/admission_load.py [--rate 300] [--seconds 30] [--record]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing as mp
import os
import platform
import random
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
KEY_PASSWORD = "bench-key-password"  # throwaway key for a loopback registry


def run(*args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=300, env=env)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_registry(root: Path) -> tuple[str, subprocess.Popen[bytes]]:
    import httpx
    import yaml

    port = free_port()
    config = {
        "version": 0.1,
        "log": {"level": "error", "accesslog": {"disabled": True}},
        "storage": {"filesystem": {"rootdirectory": str(root / "storage")}},
        "http": {"addr": f"127.0.0.1:{port}", "secret": uuid.uuid4().hex},
    }
    (root / "registry.yml").write_text(yaml.safe_dump(config))
    proc = subprocess.Popen(
        ["docker-registry", "serve", str(root / "registry.yml")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            httpx.get(f"http://127.0.0.1:{port}/v2/", timeout=1)
            return f"127.0.0.1:{port}", proc
        except httpx.HTTPError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("docker-registry did not start")


def build_images(root: Path, host: str, count: int) -> tuple[list[str], str, Path]:
    """``count`` signed images and one unsigned, all as ``repo@digest``."""
    layout, bundle = root / "layout", root / "bundle"
    run("umoci", "init", "--layout", str(layout))
    run("umoci", "new", "--image", f"{layout}:base")
    run("umoci", "unpack", "--image", f"{layout}:base", str(bundle))
    (bundle / "rootfs" / "etc").mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "COSIGN_PASSWORD": KEY_PASSWORD, "PYTHONPATH": str(REPO / "src")}
    hg = [sys.executable, "-m", "hullguard"]
    run(*hg, "key", "generate", "--output-key-prefix", str(root / "bench"), env=env)
    pinned = []
    for i in range(count + 1):
        (bundle / "rootfs" / "etc" / "motd").write_text(f"bench image {i}\n")
        run("umoci", "repack", "--image", f"{layout}:i{i}", str(bundle))
        ref = f"{host}/bench/app{i}:v1"
        run(
            "skopeo",
            "copy",
            "-q",
            "--dest-tls-verify=false",
            f"oci:{layout}:i{i}",
            f"docker://{ref}",
        )
        digest = run("skopeo", "inspect", "--tls-verify=false", "--format", "{{.Digest}}",
                     f"docker://{ref}").strip()  # fmt: skip
        if i < count:
            run(*hg, "sign", ref, "--key", str(root / "bench.key"), "--insecure", env=env)
        pinned.append(f"{host}/bench/app{i}@{digest}")
    return pinned[:count], pinned[count], root / "bench.pub"


POLICY = """
images: {{allowedRegistries: ["{host}/bench"], requireDigest: true}}
signatures:
  policies:
    - {{name: bench, images: ["{host}/bench/**"], authorities: [{{key: bench.pub}}]}}
runtime: {{profile: restricted}}
"""


def serve(root: Path, host: str, cold: list[str], conn: Any) -> None:
    """Child process: the webhook, plus a thread evicting the cold images' results."""
    sys.path.insert(0, str(REPO / "src"))
    import yaml

    from hullguard.image.reference import parse_registry_reference
    from hullguard.image.registry.options import RegistryOptions
    from hullguard.policy.load import parse_gate_policy
    from hullguard.server.admission import AdmissionConfig, AdmissionService, AuditLog
    from hullguard.server.httpd import create_server

    policy = parse_gate_policy(yaml.safe_load(POLICY.format(host=host)), root)
    config = AdmissionConfig(policy, RegistryOptions(insecure=True, timeout=5), timeout=5)
    audit = (root / "audit.jsonl").open("w")
    service = AdmissionService(config, audit=AuditLog(audit))
    server = create_server(service, "127.0.0.1", 0, root / "tls.crt", root / "tls.key")
    keys = []
    for image in cold:
        ref = parse_registry_reference(image)
        keys.append((ref.name, ref.digest))

    def evict() -> None:
        while True:
            for key in keys:
                service.verified.evict(key)
            time.sleep(0.02)

    threading.Thread(target=evict, daemon=True).start()
    conn.send(server.server_address[1])
    server.serve_forever()


def pod_review(image: str) -> bytes:
    container = {
        "name": "app", "image": image, "imagePullPolicy": "Always",
        "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                            "runAsNonRoot": True, "runAsUser": 10001,
                            "capabilities": {"drop": ["ALL"]},
                            "seccompProfile": {"type": "RuntimeDefault"}},
        "resources": {"limits": {"cpu": "500m", "memory": "256Mi"},
                      "requests": {"cpu": "100m", "memory": "128Mi"}},
    }  # fmt: skip
    pod = {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": f"web-{uuid.uuid4().hex[:5]}", "namespace": "shop"},
           "spec": {"automountServiceAccountToken": False, "containers": [container],
                    "securityContext": {"runAsNonRoot": True,
                                        "seccompProfile": {"type": "RuntimeDefault"}}}}  # fmt: skip
    gvk = {"group": "", "version": "v1", "kind": "Pod"}
    review = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
        "uid": str(uuid.uuid4()), "kind": gvk, "resource": {"group": "", "version": "v1",
        "resource": "pods"}, "namespace": "shop", "operation": "CREATE",
        "userInfo": {"username": "system:serviceaccount:kube-system:replicaset-controller"},
        "object": pod, "oldObject": None, "dryRun": False}}  # fmt: skip
    return json.dumps(review).encode()


def load(url: str, ca: Path, plan: list[tuple[float, str, str]]) -> list[tuple[str, float, str]]:
    import httpx

    local = threading.local()
    context = ssl.create_default_context(cafile=str(ca))

    def client() -> httpx.Client:
        if not hasattr(local, "client"):
            local.client = httpx.Client(verify=context, timeout=10)
        return local.client  # type: ignore[no-any-return]

    def one(at: float, label: str, image: str) -> tuple[str, float, str]:
        body = pod_review(image)
        delay = at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        try:
            resp = client().post(url, content=body, headers={"Content-Type": "application/json"})
            allowed = resp.json()["response"]["allowed"] if resp.status_code == 200 else None
            outcome = {True: "allow", False: "deny", None: "error"}[allowed]
        except Exception:  # a failed request is a counted error
            outcome = "error"
        return label, time.monotonic() - at, outcome

    with ThreadPoolExecutor(64) as pool:
        futures = [pool.submit(one, *item) for item in plan]
        return [f.result() for f in futures]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=300.0, help="reviews per second")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--cold", type=float, default=0.05, help="share of uncached reviews")
    parser.add_argument("--deny", type=float, default=0.05, help="share of unsigned images")
    parser.add_argument("--record", action="store_true", help="append to bench/RESULTS.md")
    args = parser.parse_args()
    for tool in ("docker-registry", "umoci", "skopeo"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is missing (make apt installs it)")
    import trustme

    root = Path(tempfile.mkdtemp(prefix="hullguard-admission-bench-"))
    host, registry = start_registry(root)
    try:
        signed, unsigned, _pub = build_images(root, host, 8)
        hot, cold = signed[:4], signed[4:]
        ca = trustme.CA()
        leaf = ca.issue_cert("127.0.0.1")
        leaf.private_key_pem.write_to_path(str(root / "tls.key"))
        (root / "tls.crt").write_bytes(b"".join(b.bytes() for b in leaf.cert_chain_pems))
        ca.cert_pem.write_to_path(str(root / "ca.pem"))
        parent, child = mp.Pipe()
        server = mp.get_context("fork").Process(target=serve, args=(root, host, cold, child),
                                                daemon=True)  # fmt: skip
        server.start()
        url = f"https://127.0.0.1:{parent.recv()}/validate"
        warm = [(time.monotonic() + 0.01 * i, "warm", img) for i, img in enumerate(hot)]
        load(url, root / "ca.pem", warm)
        rng = random.Random(9)
        start = time.monotonic() + 0.5
        plan = []
        for i in range(int(args.rate * args.seconds)):
            draw = rng.random()
            if draw < args.deny:
                label, image = "deny", unsigned
            elif draw < args.deny + args.cold:
                label, image = "cold", rng.choice(cold)
            else:
                label, image = "hot", rng.choice(hot)
            plan.append((start + i / args.rate, label, image))
        t0 = time.monotonic()
        results = load(url, root / "ca.pem", plan)
        wall = time.monotonic() - t0
        server.terminate()
    finally:
        registry.terminate()
        registry.wait()
    return report(args, results, wall)


def report(args: argparse.Namespace, results: list[tuple[str, float, str]], wall: float) -> int:
    expected = {"hot": "allow", "cold": "allow", "deny": "deny"}
    errors = sum(1 for _, _, o in results if o == "error")
    wrong = sum(1 for label, _, o in results if o != "error" and o != expected[label])
    lines = [
        f"### {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC — admission webhook load",
        "",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}. Target rate "
        f"{args.rate:g}/s for {args.seconds:g} s; client and server on the same machine.",
        "",
        "| class | reviews | p50 ms | p99 ms | max ms |",
        "|---|---|---|---|---|",
    ]
    for label in ("hot", "cold", "deny"):
        lat = [t * 1000 for lab, t, _ in results if lab == label]
        lines.append(f"| {label} | {len(lat)} | {percentile(lat, 50):.1f} | "
                     f"{percentile(lat, 99):.1f} | {max(lat, default=0):.1f} |")  # fmt: skip
    lines += ["", f"Throughput {len(results) / wall:.0f} reviews/s; errors {errors}; "
              f"wrong decisions {wrong}.", ""]  # fmt: skip
    text = "\n".join(lines)
    print(text)
    if args.record:
        with (REPO / "bench" / "RESULTS.md").open("a", encoding="utf-8") as out:
            out.write("\n" + text)
    return 1 if errors or wrong else 0


if __name__ == "__main__":
    sys.exit(main())
