"""``hullguard gate --database``: stored inventory results of the image's digest replace the
scan; an image the inventory lacks (or lacks results for) is scanned, and stderr says which."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hullguard.cli.main import main

POLICY = """
vulnerabilities:
  actions: {CRITICAL: block, HIGH: block, MEDIUM: track, LOW: log}
secrets:
  categories: [cloud-key, vcs-token]
"""


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(["--quiet", *args])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def policy(tmp_path: Path) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(POLICY)
    return path


def _reasons(out: str) -> set[tuple[str, str]]:
    return {(r["rule"], r["message"]) for r in json.loads(out)["reasons"]}


def test_gate_uses_stored_results_and_falls_back_to_scanning(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, app_oci: Path, vuln_db: Path,
    policy: Path,
) -> None:  # fmt: skip
    image = f"oci:{app_oci}:1.0"
    inventory = str(tmp_path / "inv.db")
    gate = ("gate", image, "--policy", str(policy), "--db", str(vuln_db), "-f", "json")

    # not stored yet: scanned like plain `gate`, and stderr says so
    code, scanned, err = _run(capsys, *gate, "--database", inventory)
    assert code == 1
    assert "is not in the inventory at" in err and f"scanning {image}" in err
    code, plain, _ = _run(capsys, *gate)
    assert _reasons(plain) == _reasons(scanned)

    # stored with vulnerabilities but without secrets: still scanned (secrets missing)
    add = ("inventory", "add", image, "--database", inventory, "--db", str(vuln_db))
    assert _run(capsys, *add, "--no-secrets")[0] == 0
    code, _, err = _run(capsys, *gate, "--database", inventory)
    assert code == 1 and "has no stored secrets results" in err

    # stored with both: judged from the inventory, the same decision as a scan
    assert _run(capsys, *add)[0] == 0
    code, stored, err = _run(capsys, *gate, "--database", inventory)
    assert code == 1
    assert "using stored results of sha256:" in err and "scanning" not in err
    doc = json.loads(stored)
    assert doc["decision"] == "block"
    rules = {rule for rule, _ in _reasons(stored)}
    assert {"vulnerabilities.HIGH", "secrets.cloud-key"} <= rules
    assert "PYSEC-2023-192 in urllib3 1.24.1" in stored
    vuln_reasons = {(r, m) for r, m in _reasons(stored) if r.startswith("vulnerabilities.")}
    assert vuln_reasons == {(r, m) for r, m in _reasons(plain) if r.startswith("vulnerabilities.")}


def test_stored_results_are_used_without_rescanning(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, app_oci: Path, vuln_db: Path,
    policy: Path,
) -> None:  # fmt: skip
    """Findings removed from the store disappear from the decision: nothing was rescanned."""
    from hullguard.inventory import open_inventory

    image = f"oci:{app_oci}:1.0"
    inventory = tmp_path / "inv.db"
    add = ("inventory", "add", image, "--database", str(inventory), "--db", str(vuln_db))
    assert _run(capsys, *add)[0] == 0
    with open_inventory(inventory) as store:
        (summary,) = store.images()
        row = store.find_image(summary.digest)
        with store.transaction():
            store.set_findings(row.id, [])
            store.set_secrets(row.id, [])
    gate = ("gate", image, "--policy", str(policy), "--db", str(vuln_db), "-f", "json")
    code, out, err = _run(capsys, *gate, "--database", str(inventory))
    assert code == 0, out + err
    assert json.loads(out)["decision"] == "allow"
