"""``hullguard serve --admission`` as a user starts it: a real process on 127.0.0.1."""

from __future__ import annotations

import json
import os
import re
import ssl
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[3]


def _hg(*args: str) -> list[str]:
    return [sys.executable, "-m", "hullguard", *args]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO / "src")}


def test_serve_answers_reviews_and_logs_them(tls: tuple[Any, Path, Path], tmp_path: Path) -> None:
    ca, cert, key = tls
    (tmp_path / "policy.yaml").write_text("runtime: {profile: restricted}\n")
    log = tmp_path / "audit.jsonl"
    args = _hg("serve", "--admission", "--policy", str(tmp_path / "policy.yaml"),
               "--tls-cert", str(cert), "--tls-key", str(key), "--host", "127.0.0.1",
               "--port", "0", "--audit-log", str(log), "--dry-run")  # fmt: skip
    proc = subprocess.Popen(args, stderr=subprocess.PIPE, text=True, env=_env())
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        match = re.search(r"https://127\.0\.0\.1:(\d+)", line)
        assert match, line
        context = ssl.create_default_context()
        ca.configure_trust(context)
        pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
               "spec": {"containers": [{"name": "a", "image": "nginx:1.25",
                                        "securityContext": {"privileged": True}}]}}  # fmt: skip
        review = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                  "request": {"uid": "0c7a0f1e-1", "kind": {"group": "", "version": "v1",
                              "kind": "Pod"}, "namespace": "default", "operation": "CREATE",
                              "object": pod}}  # fmt: skip
        url = f"https://127.0.0.1:{match.group(1)}"
        with httpx.Client(verify=context, timeout=20) as client:
            assert client.get(url + "/healthz").json() == {"status": "ok"}
            resp = client.post(url + "/validate", content=json.dumps(review)).json()["response"]
        assert resp["allowed"] is True  # --dry-run
        assert resp["warnings"][0].startswith("hullguard dry-run, would deny:")
        assert "AU103" in resp["warnings"][0]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    record = json.loads(log.read_text().splitlines()[-1])
    assert record["uid"] == "0c7a0f1e-1" and record["verdict"] == "block" and record["dry_run"]


def test_serve_usage_errors(tls: tuple[Any, Path, Path], tmp_path: Path) -> None:
    _, cert, key = tls
    (tmp_path / "policy.yaml").write_text("runtime: {profile: restricted}\n")
    base = ["--policy", str(tmp_path / "policy.yaml"), "--tls-cert", str(cert)]
    done = subprocess.run(_hg("serve", *base, "--tls-key", str(key)), capture_output=True,
                          text=True, env=_env(), timeout=60)  # fmt: skip
    assert done.returncode == 2 and "--admission" in done.stderr
    done = subprocess.run(_hg("serve", "--admission", *base, "--tls-key", str(cert), "--port", "0"),
                          capture_output=True, text=True, env=_env(), timeout=60)  # fmt: skip
    assert done.returncode == 2 and "cannot load TLS certificate" in done.stderr
    assert "Traceback" not in done.stderr
