"""Severity across aliases on the real data in ../shared/vulndata.

Real chains, read here from the raw files: npm legacy advisory NSWG-ECO-495
(``cves: [CVE-2019-5786]``, a CVSS 3.0 vector) and Alpine secdb's
CVE-2019-5786 (chromium, no severity); NSWG-ECO-21 (CVE-2013-6393) and the
Debian OVAL definition ``CVE-2013-6393 libyaml``. The expected severity is
computed here with the ``cvss`` library straight from the npm file.
"""

from __future__ import annotations

import bz2
import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from cvss import CVSS3
from cvss.exceptions import CVSSError

from hullguard.match import VulnOptions, scan_packages
from hullguard.model.package import OSInfo, Package, PackageType, Purl
from hullguard.vulndb import Severity, VulnDB


def _npm(vulndata: Path, number: int) -> dict[str, object]:
    path = vulndata / f"npm/nodejs-security-wg/vuln/npm/{number}.json"
    doc: dict[str, object] = json.loads(path.read_text())
    return doc


def _expected(vector: str) -> tuple[Severity, float]:
    scored = CVSS3(vector)
    return Severity(str(scored.severities()[0]).upper()), float(scored.scores()[0])


def test_alpine_cve_takes_npm_cvss(full_db: VulnDB, vulndata: Path) -> None:
    npm = _npm(vulndata, 495)
    assert npm["cves"] == ["CVE-2019-5786"]
    secdb = json.loads((vulndata / "distro/alpine-secdb/v3.21/community.json").read_text())
    assert any(
        "CVE-2019-5786" in cves
        for p in secdb["packages"]
        for cves in p["pkg"].get("secfixes", {}).values()
    )
    vector = str(npm["cvss_vector"])
    severity, score = _expected(vector)
    advisory = full_db.advisories(["CVE-2019-5786"])["CVE-2019-5786"]
    assert advisory.source.value == "alpine-secdb"
    assert (advisory.severity, advisory.cvss_vector, advisory.cvss_score) == (
        severity,
        vector,
        score,
    )
    assert advisory.severity_source == (
        "alias CVE-2019-5786: CVSS:3.0 vector of NSWG-ECO-495 (npm-legacy)"
    )


def test_debian_finding_says_where_severity_came_from(full_db: VulnDB, vulndata: Path) -> None:
    npm = _npm(vulndata, 21)
    assert npm["cves"] == ["CVE-2013-6393"]
    oval = bz2.decompress(
        (vulndata / "distro/debian-oval/oval-definitions-bookworm.xml.bz2").read_bytes()
    )
    assert b"<title>CVE-2013-6393 libyaml</title>" in oval
    severity, score = _expected(str(npm["cvss_vector"]))
    package = Package(
        "libyaml-0-2",
        "0.1.4-1",
        PackageType.DEB,
        Purl("pkg:deb/debian/libyaml-0-2@0.1.4-1"),
        source_name="libyaml",
        source_version="0.1.4-1",
    )
    report = scan_packages(
        [package], OSInfo("debian", "12", "bookworm"), full_db, VulnOptions(today=date(2024, 1, 1))
    )
    finding = next(f for f in report.findings if f.vuln_id == "CVE-2013-6393")
    assert (finding.severity, finding.cvss_score) == (severity, score)
    assert finding.severity_source == (
        "alias CVE-2013-6393: CVSS:3.0 vector of NSWG-ECO-21 (npm-legacy)"
    )


def test_distribution_only_gains_sourced_severities(full_db_path: Path) -> None:
    """Every filled severity names its donor; records with their own severity are kept."""
    conn = sqlite3.connect(full_db_path)
    try:
        filled = conn.execute(
            "SELECT id, severity, severity_source FROM advisories "
            "WHERE severity_source LIKE 'alias %'"
        ).fetchall()
        donors = dict(conn.execute("SELECT id, severity FROM advisories").fetchall())
        unknown_with_vector = conn.execute(
            "SELECT cvss_vector FROM advisories WHERE severity = 'UNKNOWN' AND cvss_vector != ''"
        ).fetchall()
    finally:
        conn.close()
    assert len(filled) >= 50
    for vid, severity, source in filled:
        donor = source.split(" of ", 1)[1].split(" ", 1)[0]
        assert donors[donor] == severity != "UNKNOWN", vid
    # a vector stays unscored only when the cvss library rejects it (NSWG-ECO-504: ``I:U``)
    for (vector,) in unknown_with_vector:
        with pytest.raises(CVSSError):
            CVSS3(vector)
