"""Vulnerability report as JSON (documented in ``docs/vulnerabilities.md``).

Stable: keys sorted, findings in :meth:`Finding.sort_key` order, no wall-clock
time except the database build time, so the same scan gives the same bytes.
``finding_dict`` is shared with the other renderers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from hullguard.match.model import Finding, VulnReport

JSON_SCHEMA_VERSION = 1


@dataclass(frozen=True)
class RenderContext:
    """What renderers need besides the report."""

    tool_version: str = "0"
    image_ref: str = ""
    #: history ``created_by`` -> (Dockerfile path, line) for SARIF locations
    dockerfile_lines: dict[str, tuple[str, int]] = field(default_factory=dict)


def _evidence(finding: Finding) -> list[dict[str, Any]]:
    return [
        {
            "path": e.path,
            "layerIndex": e.layer_index,
            "layerDiffId": e.layer_diff_id,
            "createdBy": e.created_by,
        }
        for e in finding.evidence
    ]


def finding_dict(finding: Finding) -> dict[str, Any]:
    """One finding as a JSON object."""
    out: dict[str, Any] = {
        "id": finding.vuln_id,
        "aliases": list(finding.aliases),
        "package": {
            "name": finding.package_name,
            "version": finding.package_version,
            "type": finding.package_type.value,
            "purl": finding.purl,
        },
        "installedVersion": finding.installed_version,
        "fixedVersions": list(finding.fixed_versions),
        "status": finding.status.value,
        "severity": finding.severity.value,
        "severitySource": finding.severity_source,
        "cvss": {"score": finding.cvss_score, "vector": finding.cvss_vector},
        "title": finding.title,
        "namespace": finding.namespace,
        "dataSource": finding.data_source,
        "locations": _evidence(finding),
        "references": list(finding.references),
    }
    if finding.suppression is not None:
        s = finding.suppression
        out["suppression"] = {
            "kind": s.kind,
            "reason": s.reason,
            "source": s.source,
            "expires": s.expires,
        }
    return out


def report_dict(report: VulnReport) -> dict[str, Any]:
    decision = report.decision
    return {
        "schemaVersion": JSON_SCHEMA_VERSION,
        "target": report.target,
        "os": report.os_namespace,
        "packageCount": report.package_count,
        "database": {"builtAt": report.db_built_at, "ageHours": report.db_age_hours},
        "summary": {
            "counts": {s.value: n for s, n in decision.counts},
            "suppressed": decision.suppressed,
            "failOn": decision.threshold.value if decision.threshold else None,
            "failed": decision.failed,
        },
        "findings": [finding_dict(f) for f in report.displayed],
        "suppressed": [finding_dict(f) for f in report.suppressed],
        "skipped": [
            {
                "package": s.package_name,
                "version": s.package_version,
                "purl": s.purl,
                "vulnerability": s.vuln_id,
                "reason": s.reason,
            }
            for s in report.skipped
        ],
        "endOfLife": [
            {
                "namespace": n.namespace,
                "package": n.package,
                "endDate": n.end_date,
                "details": n.details,
            }
            for n in report.eol
        ],
        "warnings": list(report.warnings),
    }


def render_json(report: VulnReport, context: RenderContext | None = None) -> str:
    return json.dumps(report_dict(report), indent=2, sort_keys=True) + "\n"
