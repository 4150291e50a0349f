"""Legacy npm advisories vs the real ``semver`` npm package (node-semver ``satisfies``)."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from hullguard.match import VulnOptions, scan_packages
from hullguard.model.package import Package, PackageType, Purl
from hullguard.vulndb import VulnDB

REPO = Path(__file__).resolve().parents[3]
ORACLE_DIR = REPO / ".cache" / "node-oracle"
OLD_NPM = {"lodash": "4.17.4", "minimist": "0.0.8", "ms": "0.7.0", "marked": "0.3.5"}
SCRIPT = """
const semver = require(process.argv[1]);
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = input.map(([v, r]) => semver.satisfies(v, r));
process.stdout.write(JSON.stringify(out));
"""


@pytest.fixture(scope="module")
def semver_module() -> Path:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node + npm not installed (apt-get install nodejs npm)")
    module = ORACLE_DIR / "node_modules" / "semver"
    if not (module / "package.json").is_file():
        subprocess.run(
            [
                "npm",
                "install",
                "--prefix",
                str(ORACLE_DIR),
                "--no-audit",
                "--no-fund",
                "--silent",
                "semver@7",
            ],
            check=True,
            capture_output=True,
        )
    return module


def test_npm_legacy_matches_node_semver(
    full_db: VulnDB, vulndata: Path, semver_module: Path
) -> None:
    records = [
        json.loads(p.read_bytes())
        for p in sorted((vulndata / "npm/nodejs-security-wg/vuln/npm").glob("*.json"))
        if p.name != "index.json"
    ]
    pairs = [
        (OLD_NPM[r["module_name"]], r["vulnerable_versions"] or "*", r["id"])
        for r in records
        if r["module_name"] in OLD_NPM
    ]
    verdicts = json.loads(
        subprocess.run(
            ["node", "-e", SCRIPT, str(semver_module)],
            input=json.dumps([[v, r] for v, r, _ in pairs]),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    want = {f"NSWG-ECO-{i}" for (_, _, i), hit in zip(pairs, verdicts, strict=True) if hit}
    packages = [
        Package(n, v, PackageType.NPM, Purl(f"pkg:npm/{n}@{v}")) for n, v in OLD_NPM.items()
    ]
    report = scan_packages(packages, None, full_db, VulnOptions(today=date(2026, 1, 1)))
    assert {f.vuln_id for f in report.findings} == want
    assert len(want) >= 4
