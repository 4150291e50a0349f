"""JSON report: stable keys, sorted findings, byte-identical for the same input."""

from __future__ import annotations

import json
from typing import Any

from hullguard.audit.interface import AuditReport, Finding, Severity
from hullguard.audit.rules import RULES

SCHEMA = "hullguard-audit/v1"


def finding_dict(f: Finding) -> dict[str, Any]:
    r = RULES[f.rule_id]
    return {
        "rule": f.rule_id,
        "name": r.name,
        "severity": str(f.severity),
        "file": f.file,
        "line": f.line,
        "column": f.column,
        "resource": f.resource,
        "container": f.container,
        "field": f.field,
        "message": f.message,
        "pss_control": r.pss_control,
        "pss_level": str(r.pss_level) if r.pss_level else None,
        "doc": f"docs/audit.md#{r.anchor}",
    }


def summary(report: AuditReport) -> dict[str, int]:
    counts = {str(s): 0 for s in Severity}
    for f in report.findings:
        counts[str(f.severity)] += 1
    counts["total"] = len(report.findings)
    return counts


def render_json(report: AuditReport) -> str:
    doc = {
        "schema": SCHEMA,
        "profile": str(report.profile),
        "summary": summary(report),
        "files": [
            {"path": fr.path, "kind": str(fr.kind), "fixed": fr.changed, "notes": list(fr.notes)}
            for fr in sorted(report.files, key=lambda fr: fr.path)
        ],
        "findings": [finding_dict(f) for f in report.findings],
    }
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
