"""CycloneDX 1.6 JSON with ``vulnerabilities`` (a VEX/VDR style document).

Components are the affected packages (``bom-ref`` = purl); one vulnerability
object per id, ``affects`` listing every affected package, ``ratings`` with
the CVSS score/vector or the vendor severity, and an ``analysis`` for
suppressed findings (``resolved`` for VEX ``fixed``, else ``not_affected``)
with the reason as ``detail``. Plain sorted JSON, validated in tests with
cyclonedx-python-lib's validator.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from hullguard.match.model import Finding, VulnReport
from hullguard.report.vuln_json import RenderContext
from hullguard.vulndb.interface import Severity

_SEVERITY = {
    Severity.CRITICAL: "critical",
    Severity.HIGH: "high",
    Severity.MEDIUM: "medium",
    Severity.LOW: "low",
    Severity.NEGLIGIBLE: "info",
    Severity.UNKNOWN: "unknown",
}


def _method(vector: str) -> str:
    if vector.startswith("CVSS:4"):
        return "CVSSv4"
    if vector.startswith("CVSS:3.1"):
        return "CVSSv31"
    if vector.startswith("CVSS:3"):
        return "CVSSv3"
    return "CVSSv2" if vector else "other"


def _rating(f: Finding) -> dict[str, Any]:
    rating: dict[str, Any] = {"severity": _SEVERITY[f.severity], "method": _method(f.cvss_vector)}
    if f.cvss_vector:
        rating["vector"] = f.cvss_vector
    if f.cvss_score is not None:
        rating["score"] = f.cvss_score
    if f.severity_source:
        rating["source"] = {"name": f.severity_source}
    return rating


def _vulnerability(vid: str, findings: list[Finding]) -> dict[str, Any]:
    first = findings[0]
    vuln: dict[str, Any] = {
        "id": vid,
        "source": {"name": first.data_source},
        "ratings": [_rating(first)],
        "description": first.title or vid,
        "affects": [
            {"ref": f.purl, "versions": [{"version": f.installed_version, "status": "affected"}]}
            for f in sorted(findings, key=lambda f: f.purl)
        ],
    }
    if first.aliases:
        vuln["references"] = [
            {"id": a, "source": {"name": a.split("-", 1)[0]}} for a in first.aliases
        ]
    fixed = sorted({v for f in findings for v in f.fixed_versions})
    if fixed:
        vuln["recommendation"] = f"Upgrade to a fixed version: {', '.join(fixed)}"
    if all(f.suppression is not None for f in findings):
        reason = first.suppression.reason if first.suppression else ""
        state = "resolved" if reason.startswith("fixed") else "not_affected"
        vuln["analysis"] = {"state": state, "detail": reason}
    return vuln


def render_cyclonedx_vulns(report: VulnReport, context: RenderContext | None = None) -> str:
    context = context or RenderContext()
    everything = [*report.displayed, *report.suppressed]
    components = {
        f.purl: {
            "type": "library",
            "bom-ref": f.purl,
            "name": f.package_name,
            "version": f.package_version,
            "purl": f.purl,
        }
        for f in everything
    }
    by_id: dict[str, list[Finding]] = defaultdict(list)
    for f in everything:
        by_id[f.vuln_id].append(f)
    doc = {
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "metadata": {
            "tools": {
                "components": [
                    {"type": "application", "name": "hullguard", "version": context.tool_version}
                ]
            },
            "component": {
                "type": "container",
                "bom-ref": "hullguard:subject",
                "name": report.target or context.image_ref or "target",
            },
        },
        "components": [components[k] for k in sorted(components)],
        "vulnerabilities": [_vulnerability(k, by_id[k]) for k in sorted(by_id)],
    }
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"
