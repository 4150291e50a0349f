"""SARIF 2.1.0 for vulnerability findings (GitHub code scanning and friends).

One rule per vulnerability id with a ``security-severity`` property (the CVSS
score, else a value representative of the severity); one result per finding.
A result is located on the Dockerfile instruction that created the package's
layer when the context maps the history ``created_by`` to a line, otherwise on
the image reference. Suppressed findings are results with an ``external``
suppression carrying the reason.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from hullguard.match.model import Finding, VulnReport
from hullguard.report.vuln_json import RenderContext
from hullguard.vulndb.interface import Severity

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SECURITY_SEVERITY = {
    Severity.CRITICAL: 9.5,
    Severity.HIGH: 8.0,
    Severity.MEDIUM: 5.5,
    Severity.LOW: 2.0,
    Severity.NEGLIGIBLE: 0.5,
    Severity.UNKNOWN: 0.0,
}
_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.NEGLIGIBLE: "note",
    Severity.UNKNOWN: "warning",
}


def _score(finding: Finding) -> str:
    value = finding.cvss_score
    return f"{value if value is not None else _SECURITY_SEVERITY[finding.severity]:.1f}"


def _rule(finding: Finding) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "id": finding.vuln_id,
        "name": finding.vuln_id.replace("-", ""),
        "shortDescription": {"text": finding.title or finding.vuln_id},
        "fullDescription": {"text": finding.title or finding.vuln_id},
        "defaultConfiguration": {"level": _LEVEL[finding.severity]},
        "help": {"text": f"{finding.vuln_id} (aliases: {', '.join(finding.aliases) or '-'})"},
        "properties": {
            "security-severity": _score(finding),
            "tags": ["security", "vulnerability", finding.severity.value],
        },
    }
    if finding.severity_source:  # where the severity came from (vendor, CVSS, an alias)
        rule["properties"]["severitySource"] = finding.severity_source
    if finding.references:
        rule["helpUri"] = finding.references[0]
    return rule


def _location(finding: Finding, context: RenderContext) -> dict[str, Any]:
    mapped = context.dockerfile_lines.get(finding.created_by) if finding.created_by else None
    if mapped is not None:
        path, line = mapped
        physical = {"artifactLocation": {"uri": path}, "region": {"startLine": max(line, 1)}}
    else:
        physical = {"artifactLocation": {"uri": context.image_ref or "image"}}
    return {
        "physicalLocation": physical,
        "message": {"text": ", ".join(sorted({e.path for e in finding.evidence})) or "-"},
    }


def _result(finding: Finding, context: RenderContext, index: dict[str, int]) -> dict[str, Any]:
    fixed = ", ".join(finding.fixed_versions) or "no fixed version"
    text = (
        f"{finding.package_name} {finding.package_version} is affected by {finding.vuln_id} "
        f"({finding.severity.value}, {finding.status.value}); fixed in: {fixed}."
    )
    fingerprint = hashlib.sha256(f"{finding.vuln_id}|{finding.purl}".encode()).hexdigest()
    result: dict[str, Any] = {
        "ruleId": finding.vuln_id,
        "ruleIndex": index[finding.vuln_id],
        "level": _LEVEL[finding.severity],
        "message": {"text": text},
        "locations": [_location(finding, context)],
        "partialFingerprints": {"hullguard/vulnerability/v1": fingerprint},
        "properties": {"purl": finding.purl, "status": finding.status.value},
    }
    if finding.suppression is not None:
        result["suppressions"] = [{"kind": "external", "justification": finding.suppression.reason}]
    return result


def render_sarif(report: VulnReport, context: RenderContext | None = None) -> str:
    context = context or RenderContext()
    everything = [*report.displayed, *report.suppressed]
    rules: dict[str, dict[str, Any]] = {}
    for f in sorted(everything, key=lambda f: f.vuln_id):
        rules.setdefault(f.vuln_id, _rule(f))
    index = {rid: i for i, rid in enumerate(rules)}
    doc = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "hullguard",
                        "version": context.tool_version,
                        "informationUri": "https://github.com/hullguard/hullguard",
                        "rules": list(rules.values()),
                    }
                },
                "results": [_result(f, context, index) for f in everything],
            }
        ],
    }
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"
