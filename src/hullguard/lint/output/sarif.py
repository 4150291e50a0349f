"""SARIF 2.1.0 output: one rule per rule id (with ``security-severity``), results with
file and line locations, suppressed findings carried as SARIF suppressions."""

from __future__ import annotations

import hashlib
import json
from pathlib import PurePath
from typing import Any

from hullguard.lint.interface import DOCS_URL, Finding, RuleMeta, Severity
from hullguard.lint.output.common import Report

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}


def _rule(meta: RuleMeta) -> dict[str, Any]:
    return {
        "id": meta.id,
        "name": meta.name,
        "shortDescription": {"text": meta.summary},
        "fullDescription": {"text": meta.summary},
        "helpUri": meta.help_uri,
        "help": {"text": f"{meta.summary} See {meta.help_uri}"},
        "defaultConfiguration": {"level": _LEVEL[meta.severity]},
        "properties": {
            "security-severity": meta.severity.security_severity,
            "severity": meta.severity.value,
            "tags": ["security", "dockerfile", *meta.tags],
            "aliases": list(meta.aliases),
            "precision": "high",
        },
    }


def _uri(path: str) -> str:
    pure = PurePath(path)
    return pure.as_uri() if pure.is_absolute() else pure.as_posix()


def _result(finding: Finding, index: int) -> dict[str, Any]:
    fingerprint = hashlib.sha256(
        f"{finding.rule_id}|{finding.file}|{finding.line}|{finding.message}".encode()
    ).hexdigest()[:32]
    out: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": index,
        "level": _LEVEL[finding.severity],
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(finding.file)},
                    "region": {
                        "startLine": finding.line,
                        "startColumn": finding.column,
                        "endLine": max(finding.end_line, finding.line),
                    },
                }
            }
        ],
        "partialFingerprints": {"hullguardFinding/v1": fingerprint},
    }
    if finding.suppressed:
        kind = "external" if "configuration" in finding.suppressed else "inSource"
        out["suppressions"] = [{"kind": kind, "justification": finding.suppressed}]
    return out


def render(report: Report) -> str:
    rules = sorted(report.rules, key=lambda m: m.id)
    index = {m.id: i for i, m in enumerate(rules)}
    results = [
        _result(f, index[f.rule_id])
        for r in sorted(report.results, key=lambda r: r.file)
        for f in report.visible(r)
    ]
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "hullguard",
                        "version": report.tool_version,
                        "informationUri": DOCS_URL,
                        "rules": [_rule(m) for m in rules],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
