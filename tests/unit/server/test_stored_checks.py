"""Per-image checks on stored rows (sans-I/O seams): findings and secrets rebuilt from the
inventory are judged like fresh scan results, and the audit log's workload attribution."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hullguard.inventory.interface import StoredFinding, StoredSecret
from hullguard.policy import GateInputs, evaluate_gate, parse_gate_policy
from hullguard.policy.model import Verdict
from hullguard.policy.stored import finding_of, secret_of
from hullguard.server.admission_review import Review, workload

POLICY = {
    "vulnerabilities": {"actions": {"CRITICAL": "block", "LOW": "log"}, "onlyFixed": True},
    "secrets": {"action": "block", "categories": ["vcs-token"]},
}


def _judge(findings: list[StoredFinding], secrets: list[StoredSecret]) -> Verdict:
    inputs = GateInputs(
        image="x",
        today=dt.date(2026, 11, 28),
        vulnerabilities=[finding_of(f) for f in findings],
        secrets=[secret_of(s) for s in secrets],
    )
    return evaluate_gate(parse_gate_policy(POLICY, Path()), inputs).verdict


def test_stored_rows_are_judged_like_scan_results() -> None:
    fixed = StoredFinding("CVE-1", "p", "1", "pkg:pypi/p@1", ("2",), "CRITICAL")
    unfixed = StoredFinding("CVE-2", "p", "1", "pkg:pypi/p@1", (), "critical")
    assert _judge([fixed], []) is Verdict.BLOCK
    assert _judge([unfixed], []) is Verdict.ALLOW  # onlyFixed: no fix known
    assert finding_of(fixed).package_type.value == "python"
    token = StoredSecret("github-pat", "vcs-token", "CRITICAL", "a", 1, 0, "layer", "present",
                         "f" * 64)  # fmt: skip
    key = StoredSecret("rsa", "private-key", "HIGH", "k", 1, -1, "config", "config", "e" * 64)
    assert _judge([], [key]) is Verdict.ALLOW and _judge([], [token]) is Verdict.BLOCK
    assert secret_of(key).layer is None and "fingerprint eeee" in secret_of(key).match.redacted


def _review(meta: dict[str, object], kind: str = "Pod") -> Review:
    return Review("u", kind, "ns", str(meta.get("name", "")), "CREATE", {"metadata": meta}, False)


def test_workload_from_owner_references() -> None:
    owner = {"kind": "ReplicaSet", "name": "web-5d4f8b7c9", "controller": True}
    hashed = {"name": "web-5d4f8b7c9-abc", "ownerReferences": [owner],
              "labels": {"pod-template-hash": "5d4f8b7c9"}}  # fmt: skip
    assert workload(_review(hashed)) == {"kind": "Deployment", "name": "web"}
    plain_rs = {"name": "p", "ownerReferences": [owner]}
    assert workload(_review(plain_rs)) == {"kind": "ReplicaSet", "name": "web-5d4f8b7c9"}
    job = {"name": "p", "ownerReferences": [{"kind": "Job", "name": "nightly-1"}]}
    assert workload(_review(job)) == {"kind": "Pod", "name": "p"}  # not the controller
    assert workload(_review({"generateName": "web-"}, "Pod")) == {"kind": "Pod", "name": "web-"}
    assert workload(_review({"name": "web"}, "Deployment")) == {"kind": "Deployment", "name": "web"}
