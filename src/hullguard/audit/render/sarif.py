"""SARIF 2.1.0 report: one run, the rules that fired, file + line for every result."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from hullguard import __version__
from hullguard.audit.interface import AuditReport, Finding, Rule, Severity
from hullguard.audit.rules import RULES

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
#: GitHub code scanning reads ``security-severity`` (0-10) from rule properties
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "1.0",
}


def _rule(r: Rule) -> dict[str, Any]:
    tags = ["security", "runtime"]
    if r.pss_level:
        tags.append(f"pss-{r.pss_level}")
    props: dict[str, Any] = {"tags": tags, "security-severity": SECURITY_SEVERITY[r.severity]}
    if r.pss_control:
        props["pss-control"] = r.pss_control
    props["doc"] = f"docs/audit.md#{r.anchor}"
    return {
        "id": r.id,
        "name": r.name,
        "shortDescription": {"text": r.title},
        "fullDescription": {"text": f"{r.title}: {r.remediation}."},
        "help": {"text": f"{r.remediation}. See docs/audit.md#{r.anchor}"},
        "defaultConfiguration": {"level": LEVEL[r.severity]},
        "properties": props,
    }


def _uri(path: str) -> str:
    return "stdin" if path == "-" else path.replace("\\", "/").removeprefix("./")


def _result(f: Finding, index: int) -> dict[str, Any]:
    where = f.resource + (f"/{f.container}" if f.container else "")
    key = "\x00".join((f.rule_id, f.file, f.resource, f.container, f.field))
    return {
        "ruleId": f.rule_id,
        "ruleIndex": index,
        "level": LEVEL[f.severity],
        "message": {"text": f.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(f.file)},
                    "region": {"startLine": f.line, "startColumn": f.column},
                },
                "logicalLocations": [{"name": where, "kind": "resource"}],
            }
        ],
        "partialFingerprints": {"hullguardAudit/v1": hashlib.sha256(key.encode()).hexdigest()},
    }


def render_sarif(report: AuditReport) -> str:
    findings = report.findings
    used = sorted({f.rule_id for f in findings})
    index = {rid: i for i, rid in enumerate(used)}
    run = {
        "tool": {
            "driver": {
                "name": "hullguard",
                "version": __version__,
                "rules": [_rule(RULES[rid]) for rid in used],
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": [_result(f, index[f.rule_id]) for f in findings],
    }
    doc = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
