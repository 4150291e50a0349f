"""``hullguard gate`` on the real sample image with real advisory data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hullguard.cli.main import main

BLOCKING = """
apiVersion: hullguard.dev/v1
kind: GatePolicy
vulnerabilities:
  actions: {CRITICAL: block, HIGH: block, MEDIUM: track, LOW: log}
secrets:
  categories: [cloud-key, vcs-token]
"""

ALLOWING = """
vulnerabilities:
  actions: {CRITICAL: block, HIGH: review, MEDIUM: log}
  onlyFixed: true
  exceptions:
    - {id: PYSEC-2024-60, owner: platform-team, reason: idna only parses trusted input,
       expires: "2099-01-01"}
"""


def _gate(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, image: Path, policy: str, *extra: str
) -> tuple[int, str, str]:
    """Run the real entry point (errors mapped to exit codes, as users see them)."""
    (tmp_path / "policy.yaml").write_text(policy)
    args = ["--quiet", "gate", f"oci:{image}:1.0", "--policy", str(tmp_path / "policy.yaml")]
    try:
        main([*args, *extra])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_blocks_high_findings_and_secrets(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, app_oci: Path, vuln_db: Path
) -> None:
    code, out, _ = _gate(capsys, tmp_path, app_oci, BLOCKING, "--db", str(vuln_db), "-f", "json")
    assert code == 1
    doc = json.loads(out)
    assert doc["decision"] == "block"
    blocking = {(r["rule"], r["action"]) for r in doc["reasons"] if r["action"] == "block"}
    assert ("vulnerabilities.HIGH", "block") in blocking
    assert ("secrets.cloud-key", "block") in blocking  # the deleted .env still in layer 2
    messages = " ".join(r["message"] for r in doc["reasons"])
    assert "PYSEC-2023-192 in urllib3 1.24.1" in messages
    assert "wJalrXUtnFEMI" not in out  # the secret value is never printed
    assert doc["digest"].startswith("sha256:")


def test_review_with_exception_exits_zero_and_warns(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, app_oci: Path, vuln_db: Path
) -> None:
    code, out, err = _gate(capsys, tmp_path, app_oci, ALLOWING, "--db", str(vuln_db))
    assert code == 0, out + err
    assert "Decision: REVIEW" in out
    assert "excepted until 2099-01-01 by platform-team" in out
    assert "review required: HIGH PYSEC-2023-192" in err


def test_sarif_output(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, app_oci: Path, vuln_db: Path
) -> None:
    code, out, _ = _gate(capsys, tmp_path, app_oci, BLOCKING, "--db", str(vuln_db), "-f", "sarif")
    assert code == 1
    doc = json.loads(out)
    assert doc["version"] == "2.1.0"
    run = doc["runs"][0]
    assert run["properties"]["decision"] == "block"
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels["vulnerabilities.HIGH"] == "error" and levels["vulnerabilities.LOW"] == "none"
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert all(run["tool"]["driver"]["rules"][r["ruleIndex"]]["id"] == r["ruleId"]
               for r in run["results"]) and ids == sorted(ids)  # fmt: skip


def test_base_images_from_dockerfile_and_fail_closed_signatures(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, app_oci: Path
) -> None:
    (tmp_path / "Dockerfile").write_text(
        "FROM docker.io/library/debian:bookworm AS build\nFROM build\nFROM scratch\n"
    )
    policy = "images: {allowedRegistries: [ghcr.io/acme], requireDigest: true}\n"
    code, out, _ = _gate(
        capsys, tmp_path, app_oci, policy, "--dockerfile", str(tmp_path / "Dockerfile")
    )
    assert code == 1
    assert "images.allowedRegistries" in out and "images.requireDigest" in out
    assert out.count("debian:bookworm is not") == 2  # stage refs and scratch are not judged


def test_empty_and_invalid_policies_are_usage_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, app_oci: Path
) -> None:
    code, _, err = _gate(capsys, tmp_path, app_oci, "kind: GatePolicy\n")
    assert code == 2 and "gate policy is empty" in err and "Traceback" not in err
    code, _, err = _gate(capsys, tmp_path, app_oci, "secrets: {action: explode}\n")
    assert code == 2 and "secrets/action" in err
