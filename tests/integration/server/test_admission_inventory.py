"""The webhook judging stored scan results (``serve --admission --database``) over real
HTTPS against the real registry, base age and EOL decisions, and the decision log
feeding the inventory's deployments (``inventory import-k8s --from-admission``)."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hullguard.inventory import open_inventory
from hullguard.server.scan_results import StoredResults

Scanned = Any  # conftest types (importlib mode: conftests are not importable)
Webhook = Any
REPO = Path(__file__).resolve().parents[3]

CONTAINER = {
    "imagePullPolicy": "Always",
    "securityContext": {"allowPrivilegeEscalation": False, "runAsNonRoot": True},
}
POLICY = """
unscanned: {unscanned}
vulnerabilities:
  actions: {{CRITICAL: block, HIGH: block, MEDIUM: review, LOW: log}}
secrets: {{action: block}}
images: {{blockEol: true}}
"""


def pod(*images: str, owner: str | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": "web-5d4f8b7c9-x2x7q", "namespace": "shop"}
    if owner:
        meta["labels"] = {"app": "web", "pod-template-hash": "5d4f8b7c9"}
        meta["ownerReferences"] = [
            {
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "name": owner,
                "uid": str(uuid.uuid4()),
                "controller": True,
                "blockOwnerDeletion": True,
            }
        ]
    containers = [{"name": f"c{i}", "image": image, **copy.deepcopy(CONTAINER)}
                  for i, image in enumerate(images)]  # fmt: skip
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "spec": {"containers": containers}}  # fmt: skip


def review(obj: dict[str, Any]) -> dict[str, Any]:
    """A Pod CREATE AdmissionReview as the API server sends it."""
    gvk = {"group": "", "version": "v1", "kind": "Pod"}
    gvr = {"group": "", "version": "v1", "resource": "pods"}
    return {
        "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
        "request": {
            "uid": str(uuid.uuid4()), "kind": gvk, "resource": gvr, "requestKind": gvk,
            "requestResource": gvr, "name": obj["metadata"]["name"], "namespace": "shop",
            "operation": "CREATE",
            "userInfo": {"username": "system:serviceaccount:kube-system:replicaset-controller"},
            "object": obj, "oldObject": None, "dryRun": False,
            "options": {"apiVersion": "meta.k8s.io/v1", "kind": "CreateOptions"},
        },
    }  # fmt: skip


@pytest.fixture
def stored_webhook(webhook: Callable[..., Webhook], scanned: Scanned) -> Callable[..., Webhook]:
    def start(unscanned: str = "review", policy: str = POLICY) -> Webhook:
        results = StoredResults(open_inventory(scanned.inventory), ttl=300)
        return webhook(policy.format(unscanned=unscanned), results=results)

    return start


def _ask(hook: Webhook, *images: str, owner: str | None = None) -> dict[str, Any]:
    resp = hook.post("/validate", review(pod(*images, owner=owner)))
    assert resp.status_code == 200, resp.text
    out: dict[str, Any] = resp.json()["response"]
    return out


def test_stored_critical_finding_is_denied(
    stored_webhook: Callable[..., Webhook], scanned: Scanned
) -> None:
    out = _ask(stored_webhook(), scanned.refs["critical"])
    assert out["allowed"] is False
    message = out["status"]["message"]
    assert "PYSEC-2023-209" in message and "json-logic 0.6.3" in message
    assert message.startswith(f"hullguard denied: {scanned.refs['critical']}: CRITICAL")


def test_only_low_findings_are_allowed_and_cached(
    stored_webhook: Callable[..., Webhook], scanned: Scanned
) -> None:
    hook = stored_webhook()
    for _ in range(2):
        out = _ask(hook, scanned.refs["low"])
        assert out["allowed"] is True and "warnings" not in out
    assert hook.service.results._cache.hits >= 1  # second review: no inventory read
    with open_inventory(scanned.inventory) as store:  # the LOW finding is really stored
        row = store.find_image(scanned.digests["low"])
        assert [(f.vuln_id, f.severity) for f in store.findings_for(row.id)] == [
            ("PYSEC-2024-6", "LOW")
        ]


def test_unscanned_image_is_a_review_warning_or_blocked(
    stored_webhook: Callable[..., Webhook], scanned: Scanned
) -> None:
    ref, digest = scanned.refs["unscanned"], scanned.digests["unscanned"]
    out = _ask(stored_webhook(), ref)
    assert out["allowed"] is True
    [warning] = out["warnings"]
    assert warning.startswith("review: ") and "has no scan results in the inventory" in warning
    assert f"hullguard inventory add {scanned.host}/team/unscanned@{digest}" in warning
    denied = _ask(stored_webhook("block"), ref)
    assert denied["allowed"] is False and "inventory add" in denied["status"]["message"]
    allowed = _ask(stored_webhook("allow"), ref)
    assert allowed["allowed"] is True and "warnings" not in allowed


def test_stored_secret_is_denied_without_its_value(
    stored_webhook: Callable[..., Webhook], scanned: Scanned
) -> None:
    out = _ask(stored_webhook(), scanned.refs["leaky"])
    assert out["allowed"] is False
    message = out["status"]["message"]
    assert "secret" in message and "app/config.ini" in message and "rotate it" in message
    assert "ghp_" not in message and "0123456789abcdef" not in message
    with open_inventory(scanned.inventory) as store:
        rows = store.conn.execute("SELECT * FROM image_secrets").fetchall()
    assert rows and not any("ghp_" in str(v) for row in rows for v in row)


def test_end_of_life_os_from_stored_results(
    stored_webhook: Callable[..., Webhook], scanned: Scanned
) -> None:
    out = _ask(stored_webhook(), scanned.refs["buster"])
    assert out["allowed"] is False
    assert "base OS debian 10 is end-of-life since 2024-06-30" in out["status"]["message"]


def test_mixed_pod_names_every_failing_image(
    stored_webhook: Callable[..., Webhook], scanned: Scanned
) -> None:
    out = _ask(stored_webhook(), scanned.refs["low"], scanned.refs["critical"],
               scanned.refs["leaky"])  # fmt: skip
    message = out["status"]["message"]
    assert out["allowed"] is False
    assert scanned.refs["critical"] in message and scanned.refs["leaky"] in message
    assert scanned.refs["low"] not in message


def _hg(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    return subprocess.run([sys.executable, "-m", "hullguard", "--quiet", *args],
                          capture_output=True, text=True, env=env, timeout=120)  # fmt: skip


def test_decision_log_feeds_deployments(
    stored_webhook: Callable[..., Webhook], scanned: Scanned, tmp_path: Path
) -> None:
    hook = stored_webhook()
    _ask(hook, scanned.refs["low"], scanned.refs["unscanned"], owner="web-5d4f8b7c9")
    _ask(hook, scanned.refs["critical"], owner="api-7c9d")  # denied: never runs
    [admitted, denied] = hook.audit()
    assert admitted["workload"] == {"kind": "Deployment", "name": "web"}
    assert denied["workload"] == {"kind": "ReplicaSet", "name": "api-7c9d"}
    assert admitted["containers"][0] == {
        "container": "c0",
        "image": scanned.refs["low"],
        "digest": scanned.digests["low"],
    }
    inventory = tmp_path / "inv.db"

    shutil.copy(scanned.inventory, inventory)
    done = _hg("inventory", "import-k8s", "--from-admission", str(hook.audit_path),
               "--cluster", "prod-eu", "--database", str(inventory), "-f", "json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    listed = json.loads(_hg("inventory", "deployments", "--database", str(inventory),
                            "-f", "json").stdout)  # fmt: skip
    rows = listed["deployments"]
    assert {(d["kind"], d["name"], d["container"]) for d in rows} == {
        ("Deployment", "web", "c0"),
        ("Deployment", "web", "c1"),
    }
    low = next(d for d in rows if d["container"] == "c0")
    assert low["namespace"] == "shop" and low["cluster"] == "prod-eu"
    assert low["image"] == scanned.digests["low"]  # linked to the stored image
    assert low["image_ref"] == f"{scanned.host}/team/low@{scanned.digests['low']}"
    bad = _hg("inventory", "import-k8s", "--database", str(inventory))
    assert bad.returncode == 2 and "--from-admission" in bad.stderr


AGE_POLICY = "unscanned: allow\nimages: {{maxBaseAgeDays: 365}}\n"


def test_base_age_from_base_annotations_and_own_config(
    stored_webhook: Callable[..., Webhook], scanned: Scanned, tmp_path: Path
) -> None:
    hook = stored_webhook(policy=AGE_POLICY)
    out = _ask(hook, scanned.refs["onbase"])
    assert out["allowed"] is False
    message = out["status"]["message"]
    assert "base built 2020-01-02" in message and "limit 365" in message
    assert f"base image {scanned.host}/team/base@{scanned.digests['base']}" in message
    old = _ask(hook, scanned.refs["oldself"])
    assert old["allowed"] is False
    assert "base built 2020-01-01" in old["status"]["message"]
    assert "image config (no base annotations)" in old["status"]["message"]
    assert _ask(hook, scanned.refs["fresh"])["allowed"] is True
    # the gate decides the same from the registry
    policy = tmp_path / "age.yaml"
    policy.write_text("images: {maxBaseAgeDays: 365}\n")
    gate = _hg("gate", scanned.refs["onbase"], "--policy", str(policy), "--insecure",
               "--no-cache", "-f", "json")  # fmt: skip
    assert gate.returncode == 1, gate.stderr
    [reason] = json.loads(gate.stdout)["reasons"]
    assert reason["rule"] == "images.maxBaseAge" and "base image" in reason["message"]
    fresh = _hg("gate", scanned.refs["fresh"], "--policy", str(policy), "--insecure",
                "--no-cache", "-f", "json")  # fmt: skip
    assert fresh.returncode == 0, fresh.stderr
    [ok] = json.loads(fresh.stdout)["reasons"]
    assert ok["action"] == "log" and "image config (no base annotations)" in ok["message"]


def test_serve_cli_with_database(
    tls: tuple[Any, Path, Path], scanned: Scanned, tmp_path: Path
) -> None:
    """`hullguard serve --admission --database` as a process: stored CRITICAL denied."""
    import re
    import ssl

    import httpx

    ca, cert, key = tls
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY.format(unscanned="review"))
    args = [sys.executable, "-m", "hullguard", "serve", "--admission", "--policy", str(policy),
            "--tls-cert", str(cert), "--tls-key", str(key), "--host", "127.0.0.1", "--port", "0",
            "--audit-log", str(tmp_path / "audit.jsonl"), "--insecure",
            "--database", f"sqlite:///{scanned.inventory}"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    proc = subprocess.Popen(args, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        match = re.search(r"https://127\.0\.0\.1:(\d+)", line)
        assert match, line
        context = ssl.create_default_context()
        ca.configure_trust(context)
        with httpx.Client(verify=context, timeout=20) as client:
            url = f"https://127.0.0.1:{match.group(1)}/validate"
            body = json.dumps(review(pod(scanned.refs["critical"])))
            out = client.post(url, content=body).json()["response"]
        assert out["allowed"] is False and "PYSEC-2023-209" in out["status"]["message"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    without = subprocess.run([a for a in args if not a.startswith(("--database", "sqlite:"))]
                             + ["--tls-key", str(cert)], capture_output=True, text=True,
                             env=env, timeout=60)  # fmt: skip
    assert "not enforced without --database" in without.stderr


def test_gate_blocks_a_package_whose_security_support_ended(
    scanned: Scanned, tmp_path: Path
) -> None:
    """debian-security-support's list (../shared) says lxd 5.0.2-5+deb12u6 lost support."""
    db = tmp_path / "eol.db"
    support = REPO.parent / "shared/vulndata/debian-security-support"
    if not support.is_dir():
        support = REPO.parent.parent / "shared/vulndata/debian-security-support"
    assert _hg("db", "import", "--db", str(db), str(support)).returncode == 0
    policy = tmp_path / "eol.yaml"
    policy.write_text("vulnerabilities: {actions: {CRITICAL: block}}\nimages: {blockEol: true}\n")
    done = _hg("gate", scanned.refs["ended"], "--policy", str(policy), "--db", str(db),
               "--insecure", "--no-cache", "-f", "json")  # fmt: skip
    assert done.returncode == 1, done.stderr
    [reason] = json.loads(done.stdout)["reasons"]
    assert reason["rule"] == "images.blockEol" and reason["evidence"] == "lxd"
    assert "no security support since 2026-06-12" in reason["message"]
    policy.write_text("vulnerabilities: {actions: {CRITICAL: block}}\n")  # blockEol off
    assert _hg("gate", scanned.refs["ended"], "--policy", str(policy), "--db", str(db),
               "--insecure", "--no-cache").returncode == 0  # fmt: skip
