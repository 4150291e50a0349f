"""Gate policy: loading, schema errors, and the pure evaluation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from hullguard.audit.interface import Finding as AuditFinding
from hullguard.audit.interface import Severity as AuditSeverity
from hullguard.errors import PolicyError
from hullguard.match.model import Finding, FindingStatus
from hullguard.model.package import PackageType
from hullguard.model.severity import Severity
from hullguard.policy import GateInputs, Verdict, evaluate_gate, parse_gate_policy
from hullguard.policy.evaluate import facts_of
from hullguard.policy.model import Action, GatePolicy
from hullguard.scan.image_secrets import ImageSecret
from hullguard.secrets.interface import RuleId, SecretCategory, SecretMatch
from hullguard.sign.policy import Decision as SignDecision

TODAY = dt.date(2026, 6, 1)


def _policy(text: str, base: Path = Path(".")) -> GatePolicy:
    return parse_gate_policy(yaml.safe_load(text), base)


def _vuln(vid: str, sev: str, fixed: bool = True) -> Finding:
    return Finding(
        vid, (), "openssl", "3.0.11-1", PackageType.DEB, "pkg:deb/debian/openssl@3.0.11-1",
        "3.0.11-1", ("3.0.13-1",) if fixed else (),
        FindingStatus.FIXED if fixed else FindingStatus.AFFECTED_NO_FIX,
        Severity(sev), "nvd", None, "", "t", "debian:12", "openssl", "osv",
    )  # fmt: skip


def _secret(cat: SecretCategory, sev: Severity, status: str = "deleted") -> ImageSecret:
    match = SecretMatch(
        "app/.env", 1, 1, RuleId("aws-access-key-id"), cat, sev, "AWS key", "AKIA****MPLE", "f" * 64
    )
    return ImageSecret(match, "layer", layer=2, status=status)


VULN_POLICY = """
vulnerabilities:
  actions: {CRITICAL: block, HIGH: review, MEDIUM: track, LOW: log}
  onlyFixed: true
  exceptions:
    - {id: CVE-2024-0001, owner: sec-team, reason: not reachable, expires: "2026-12-31"}
    - {id: CVE-2024-0002, owner: sec-team, reason: old, expires: "2026-01-01"}
"""


def test_empty_policy_is_an_error() -> None:
    for doc in (None, {}, {"apiVersion": "hullguard.dev/v1", "kind": "GatePolicy"}):
        with pytest.raises(PolicyError, match="empty"):
            parse_gate_policy(doc, Path("."))


def test_schema_errors_name_the_place() -> None:
    with pytest.raises(PolicyError, match="vulnerabilities/actions"):
        _policy("vulnerabilities: {actions: {HIGH: explode}}")
    with pytest.raises(PolicyError, match="owner"):
        _policy(
            "vulnerabilities: {actions: {HIGH: block}, "
            "exceptions: [{id: X, reason: r, expires: '2026-01-01'}]}"
        )


def test_severity_actions_only_fixed_and_exceptions() -> None:
    policy = _policy(VULN_POLICY)
    inputs = GateInputs("img", today=TODAY, vulnerabilities=[
        _vuln("CVE-2024-0001", "CRITICAL"),  # excepted, still valid
        _vuln("CVE-2024-0003", "HIGH"),  # review
        _vuln("CVE-2024-0004", "CRITICAL", fixed=False),  # no fix: ignored (onlyFixed)
        _vuln("CVE-2024-0005", "MEDIUM"),  # track
    ])  # fmt: skip
    decision = evaluate_gate(policy, inputs)
    assert decision.verdict is Verdict.REVIEW
    rules = {(r.rule, r.action) for r in decision.reasons}
    assert ("vulnerabilities.exception", Action.LOG) in rules
    assert ("vulnerabilities.HIGH", Action.REVIEW) in rules
    assert ("vulnerabilities.MEDIUM", Action.TRACK) in rules
    assert not any("CVE-2024-0004" in r.message for r in decision.reasons)


def test_expired_exception_blocks() -> None:
    policy = _policy(VULN_POLICY)
    inputs = GateInputs("img", today=TODAY, vulnerabilities=[_vuln("CVE-2024-0002", "CRITICAL")])
    decision = evaluate_gate(policy, inputs)
    assert decision.verdict is Verdict.BLOCK
    assert "expired 2026-01-01" in decision.reasons[0].message


def test_secrets_block_by_category_and_severity_in_deleted_layers() -> None:
    policy = _policy("secrets: {categories: [cloud-key], severities: [CRITICAL, HIGH]}")
    found = [_secret(SecretCategory.CLOUD_KEY, Severity.CRITICAL)]
    decision = evaluate_gate(policy, GateInputs("img", secrets=found))
    assert decision.verdict is Verdict.BLOCK
    assert "(deleted)" in decision.reasons[0].message and "layer 2" in decision.reasons[0].message
    assert decision.reasons[0].evidence == "AKIA****MPLE"
    other = [_secret(SecretCategory.PASSWORD, Severity.CRITICAL)]
    assert evaluate_gate(policy, GateInputs("img", secrets=other)).verdict is Verdict.ALLOW


def test_base_image_rules() -> None:
    policy = _policy(
        "images: {allowedRegistries: [ghcr.io/acme], requireDigest: true, blockEol: true}"
    )
    bad = GateInputs("x", (facts_of("x:1"),), TODAY, eol_since=dt.date(2024, 6, 30),
                     os_name="debian 10")  # fmt: skip
    decision = evaluate_gate(policy, bad)
    assert decision.verdict is Verdict.BLOCK
    assert [r.rule for r in decision.reasons] == [
        "images.allowedRegistries", "images.blockEol", "images.requireDigest",
    ]  # fmt: skip
    good = GateInputs("app", (facts_of("ghcr.io/acme/app@sha256:" + "a" * 64),), TODAY)
    assert evaluate_gate(policy, good).verdict is Verdict.ALLOW
    # a prefix must end at a path segment: ghcr.io/acme-evil is not ghcr.io/acme
    evil = GateInputs("app", (facts_of("ghcr.io/acme-evil/app@sha256:" + "a" * 64),), TODAY)
    assert evaluate_gate(policy, evil).verdict is Verdict.BLOCK


def test_signatures_fail_closed_and_embed_signing_format(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    pem = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    (tmp_path / "cosign.pub").write_bytes(pem)
    policy = _policy(
        "signatures:\n  action: review\n  policies:\n"
        "    - {name: ours, images: ['**'], authorities: [{key: cosign.pub}]}\n",
        tmp_path,
    )
    assert evaluate_gate(policy, GateInputs("img")).verdict is Verdict.REVIEW
    denied = SignDecision(False, ("policy ours failed: cosign.pub: no signature",))
    d = evaluate_gate(policy, GateInputs("img", signatures=denied))
    assert d.verdict is Verdict.REVIEW and "no signature" in d.reasons[0].message
    ok = SignDecision(True, ("policy ours: satisfied by cosign.pub",))
    assert evaluate_gate(policy, GateInputs("img", signatures=ok)).verdict is Verdict.ALLOW


def test_runtime_rules_filter() -> None:
    policy = _policy("runtime: {profile: restricted, rules: [AU101]}")
    finding = AuditFinding("pod.yaml", 3, 5, "AU101", "Pod/web", "app", "securityContext",
                           "runs as root", AuditSeverity.HIGH)  # fmt: skip
    other = AuditFinding("pod.yaml", 9, 5, "AU999", "Pod/web", "app", "x", "y",
                         AuditSeverity.LOW)  # fmt: skip
    d = evaluate_gate(policy, GateInputs("img", runtime=[finding, other]))
    assert d.verdict is Verdict.BLOCK
    assert [r.rule for r in d.reasons] == ["runtime.AU101"]
    assert evaluate_gate(policy, GateInputs("img")).skipped == ("runtime",)
