"""Vulnerability renderers: schema-valid SARIF and CycloneDX, stable JSON, JUnit, table, MD."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date
from pathlib import Path

import jsonschema
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from hullguard.match.gate import decide
from hullguard.match.model import Finding, FindingStatus, Suppression, VulnReport
from hullguard.model.package import Evidence, PackageType
from hullguard.report.vuln_formats import VulnFormat, render_vulns
from hullguard.report.vuln_json import RenderContext
from hullguard.vulndb.interface import Severity

SARIF_SCHEMA = Path(__file__).resolve().parents[2] / "data" / "sarif" / "sarif-2.1.0-rtm.5.json"
RUN_STEP = "RUN /bin/sh -c apt-get install -y openssl # buildkit"


def _finding(vid: str, severity: Severity, name: str = "openssl", **kw: object) -> Finding:
    base = Finding(
        vuln_id=vid,
        aliases=("CVE-2024-9999",) if vid.startswith("DSA") else (),
        package_name=name,
        package_version="3.0.9-1",
        package_type=PackageType.DEB,
        purl=f"pkg:deb/debian/{name}@3.0.9-1?arch=amd64&distro=debian-12",
        installed_version="3.0.9-1",
        fixed_versions=("3.0.11-1",),
        status=FindingStatus.FIXED,
        severity=severity,
        severity_source="CVSS:3.1 vector",
        cvss_score=9.8 if severity is Severity.CRITICAL else None,
        cvss_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
        if severity is Severity.CRITICAL
        else "",
        title=f"problem in {name} | pipes",
        namespace="debian:12",
        lookup_name=name,
        data_source="debian-tracker",
        evidence=(Evidence("/var/lib/dpkg/status", 1, "sha256:" + "c" * 64, RUN_STEP),),
        references=("https://security-tracker.debian.org/tracker/" + vid,),
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def _report() -> VulnReport:
    findings = (
        _finding("CVE-2024-0001", Severity.CRITICAL),
        _finding("DSA-5555-1", Severity.HIGH, "curl"),
        _finding(
            "CVE-2024-0003",
            Severity.UNKNOWN,
            status=FindingStatus.AFFECTED_NO_FIX,
            fixed_versions=(),
        ),
    )
    why = Suppression("openvex", "not_affected: component_not_present", "v.json")
    suppressed = (_finding("CVE-2024-0004", Severity.MEDIUM, suppression=why),)
    return VulnReport(
        target="registry.example/app:1",
        findings=findings,
        displayed=findings,
        suppressed=suppressed,
        skipped=(),
        eol=(),
        warnings=("the vulnerability database is 3 day(s) old",),
        db_built_at="2026-01-01T00:00:00+00:00",
        db_age_hours=72.0,
        decision=decide(findings, 1, Severity.HIGH, ignore_unfixed=False),
        os_namespace="debian:12",
        package_count=10,
    )


CONTEXT = RenderContext("1.2.3", "registry.example/app:1", {RUN_STEP: ("Dockerfile", 7)})


def test_sarif_is_schema_valid_one_rule_per_id_and_dockerfile_locations() -> None:
    doc = json.loads(render_vulns(_report(), VulnFormat.SARIF, CONTEXT))
    jsonschema.validate(doc, json.loads(SARIF_SCHEMA.read_text()))
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted({r["id"] for r in rules})
    assert len(rules) == 4
    sev = {r["id"]: r["properties"]["security-severity"] for r in rules}
    assert sev["CVE-2024-0001"] == "9.8" and sev["DSA-5555-1"] == "8.0"
    sources = {r["id"]: r["properties"].get("severitySource") for r in rules}
    assert sources["CVE-2024-0001"] == "CVSS:3.1 vector"
    loc = run["results"][0]["locations"][0]["physicalLocation"]
    assert loc == {"artifactLocation": {"uri": "Dockerfile"}, "region": {"startLine": 7}}
    suppressed = [r for r in run["results"] if "suppressions" in r]
    assert suppressed[0]["suppressions"][0]["justification"].startswith("not_affected")
    plain = json.loads(render_vulns(_report(), VulnFormat.SARIF, RenderContext("1", "img:1")))
    uri = plain["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri == {"uri": "img:1"}


def test_cyclonedx_validates_with_vulnerabilities() -> None:
    text = render_vulns(_report(), VulnFormat.CYCLONEDX, CONTEXT)
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    doc = json.loads(text)
    vulns = {v["id"]: v for v in doc["vulnerabilities"]}
    assert vulns["CVE-2024-0001"]["ratings"][0]["score"] == 9.8
    assert vulns["CVE-2024-0004"]["analysis"]["state"] == "not_affected"
    refs = {c["bom-ref"] for c in doc["components"]}
    assert all(a["ref"] in refs for v in vulns.values() for a in v["affects"])


def test_json_is_stable_sorted_and_keeps_suppressed() -> None:
    a = render_vulns(_report(), VulnFormat.JSON)
    assert a == render_vulns(_report(), VulnFormat.JSON)
    doc = json.loads(a)
    assert [f["id"] for f in doc["findings"]] == ["CVE-2024-0001", "DSA-5555-1", "CVE-2024-0003"]
    assert doc["suppressed"][0]["suppression"]["kind"] == "openvex"
    assert doc["summary"]["counts"]["CRITICAL"] == 1 and doc["summary"]["failed"] is True
    assert doc["findings"][0]["locations"][0]["createdBy"] == RUN_STEP


def test_junit_marks_failures_at_threshold_and_skips_suppressed() -> None:
    root = ET.fromstring(render_vulns(_report(), VulnFormat.JUNIT))
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("4", "2", "1")


def test_table_groups_by_package_and_counts_suppressed() -> None:
    text = render_vulns(_report(), VulnFormat.TABLE)
    assert "openssl 3.0.9-1 (deb)  [layer 1; RUN /bin/sh -c apt-get install" in text
    assert text.index("CVE-2024-0001") < text.index("DSA-5555-1")
    assert "1 suppressed finding(s)" in text
    assert "Gate (--fail-on HIGH): FAILED" in text
    assert "WARNING: the vulnerability database is 3 day(s) old" in text


def test_markdown_summary_escapes_pipes() -> None:
    text = render_vulns(_report(), VulnFormat.MARKDOWN)
    assert "**FAILED** (fail on HIGH and above)" in text
    assert "| CRITICAL | 1 |" in text and "| suppressed | 1 |" in text
    assert "| CRITICAL | CVE-2024-0001 | openssl | 3.0.9-1 | 3.0.11-1 | fixed |" in text


def test_today_is_not_in_any_output() -> None:
    today = date.today().isoformat()
    for fmt in VulnFormat:
        assert today not in render_vulns(_report(), fmt, CONTEXT) or today == "2026-01-01"
