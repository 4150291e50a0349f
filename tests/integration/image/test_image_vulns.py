"""`hullguard scan IMAGE` end to end: vulnerabilities from real advisory data on a real image."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
VULNDATA = REPO.parent / "shared" / "vulndata"


def _hg(*args: str, cache: Path, check_rc: int | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "hullguard", "--quiet", "--cache-dir", str(cache), *args],
        capture_output=True, text=True, check=False, env={**os.environ},
    )  # fmt: skip
    if check_rc is not None:
        assert proc.returncode == check_rc, proc.stderr
    return proc


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("vulncache")
    _hg("db", "import", str(VULNDATA / "osv" / "pypi"), str(VULNDATA / "osv" / "go"),
        str(VULNDATA / "npm"), cache=root, check_rc=0)  # fmt: skip
    return root


def test_no_database_is_a_clear_error(app_oci: Path, tmp_path: Path) -> None:
    proc = _hg("scan", f"oci:{app_oci}:1.0", cache=tmp_path)
    assert proc.returncode == 3 and "Traceback" not in proc.stderr
    assert "db update" in proc.stderr or "db import" in proc.stderr


def test_findings_carry_layers_and_match_sbom_scan(app_oci: Path, cache: Path) -> None:
    ref = f"oci:{app_oci}:1.0"
    proc = _hg("scan", "--scanners", "vuln", "-f", "json", ref, cache=cache, check_rc=0)
    vulns = json.loads(proc.stdout)["vulnerabilities"]
    findings = vulns["findings"]
    by_pkg = {(f["package"]["name"], f["id"]) for f in findings}
    assert ("urllib3", "PYSEC-2019-133") in by_pkg  # fixed in 1.24.2, installed 1.24.1
    assert ("lodash", "NSWG-ECO-368") in by_pkg
    assert any(name == "stdlib" for name, _ in by_pkg)  # the Go toolchain of /usr/local/bin/umoci
    urllib3 = next(f for f in findings if f["package"]["name"] == "urllib3")
    assert json.dumps(urllib3).count("COPY") >= 1  # the build step that added it
    sbom = cache / "app.cdx.json"
    _hg("sbom", "-o", str(sbom), ref, cache=cache, check_rc=0)
    again = _hg("scan", "--sbom", str(sbom), "-f", "json", cache=cache, check_rc=0)
    from_sbom = {(f["package"]["name"], f["id"]) for f in json.loads(again.stdout)["findings"]}
    assert from_sbom == by_pkg


def test_gate_is_independent_of_display(app_oci: Path, cache: Path) -> None:
    ref = f"oci:{app_oci}:1.0"
    gate = _hg("scan", "--scanners", "vuln", "--fail-on", "high", ref, cache=cache)
    assert gate.returncode == 1, gate.stderr  # urllib3 / idna carry HIGH CVSS scores
    shown = _hg("scan", "--scanners", "vuln", "--fail-on", "high", "--severity", "CRITICAL",
                "-f", "json", ref, cache=cache)  # fmt: skip
    assert shown.returncode == 1
    displayed = json.loads(shown.stdout)["vulnerabilities"]["findings"]
    assert all(f["severity"] == "CRITICAL" for f in displayed if not f.get("suppressed"))
    ok = _hg("scan", "--scanners", "vuln", "--fail-on", "critical", ref, cache=cache)
    assert ok.returncode == 0


def test_sarif_validates(app_oci: Path, cache: Path) -> None:
    import jsonschema

    proc = _hg("scan", "--scanners", "vuln", "-f", "sarif", f"oci:{app_oci}:1.0", cache=cache,
               check_rc=0)  # fmt: skip
    schema = json.loads((REPO / "tests/data/sarif/sarif-2.1.0-rtm.5.json").read_text())
    doc = json.loads(proc.stdout)
    jsonschema.validate(doc, schema)
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    assert rules and all("security-severity" in r.get("properties", {}) for r in rules)
