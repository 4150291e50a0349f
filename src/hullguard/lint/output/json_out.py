"""JSON output of lint results (stable, documented in docs/lint.md, sorted keys)."""

from __future__ import annotations

import json
from typing import Any

from hullguard.lint.interface import Finding, RuleMeta
from hullguard.lint.output.common import Report

SCHEMA_VERSION = 1


def finding_dict(finding: Finding, meta: RuleMeta) -> dict[str, Any]:
    return {
        "rule_id": finding.rule_id,
        "rule_name": meta.name,
        "aliases": list(meta.aliases),
        "severity": finding.severity.value,
        "message": finding.message,
        "file": finding.file,
        "line": finding.line,
        "column": finding.column,
        "end_line": finding.end_line,
        "help_uri": meta.help_uri,
        "suppressed": finding.suppressed or None,
        "fix": {"description": finding.fix.description} if finding.fix else None,
        "details": list(finding.details),
    }


def render(report: Report) -> str:
    metas = {m.id: m for m in report.rules}
    files = [
        {
            "file": result.file,
            "findings": [finding_dict(f, metas[f.rule_id]) for f in report.visible(result)],
        }
        for result in sorted(report.results, key=lambda r: r.file)
    ]
    document = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "hullguard", "version": report.tool_version},
        "fail_on": report.fail_on.value,
        "passed": report.passed,
        "summary": report.counts(),
        "files": files,
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
