"""Render a gate decision: table (people), JSON (machines), SARIF 2.1.0 (code scanning)."""

from __future__ import annotations

import json
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from hullguard import __version__
from hullguard.policy.model import Action, Decision

_LEVEL: dict[Action, str] = {
    Action.BLOCK: "error",
    Action.REVIEW: "warning",
    Action.TRACK: "note",
    Action.LOG: "none",
}


class GateFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    SARIF = "sarif"


def render_table(decision: Decision, image: str, digest: str) -> str:
    lines = [f"Image: {image}", f"Digest: {digest}", f"Decision: {decision.verdict.value.upper()}"]
    if decision.skipped:
        lines.append(f"Not evaluated (no input): {', '.join(decision.skipped)}")
    for reason in decision.reasons:
        where = f" ({reason.evidence})" if reason.evidence not in reason.message else ""
        lines.append(f"  [{reason.action.value:<6}] {reason.rule}: {reason.message}{where}")
    if not decision.reasons:
        lines.append("  no policy rule matched")
    return "\n".join(lines) + "\n"


def render_json(decision: Decision, image: str, digest: str) -> str:
    doc = {"image": image, "digest": digest, **decision.to_json()}
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render_sarif(decision: Decision, image: str, digest: str) -> str:
    rule_ids = sorted({r.rule for r in decision.reasons})
    rules = [
        {"id": rid, "shortDescription": {"text": f"gate policy rule {rid}"}} for rid in rule_ids
    ]
    results: list[dict[str, Any]] = [
        {
            "ruleId": r.rule,
            "ruleIndex": rule_ids.index(r.rule),
            "level": _LEVEL[r.action],
            "message": {"text": r.message},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": image}}}],
            "properties": {"action": r.action.value, "evidence": r.evidence},
        }
        for r in decision.reasons
    ]
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "hullguard-gate",
                        "version": __version__,
                        "informationUri": "https://github.com/hullguard/hullguard",
                        "rules": rules,
                    }
                },
                "results": results,
                "properties": {"decision": decision.verdict.value, "digest": digest},
            }
        ],
    }
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


RENDERERS: dict[GateFormat, Callable[[Decision, str, str], str]] = {
    GateFormat.TABLE: render_table,
    GateFormat.JSON: render_json,
    GateFormat.SARIF: render_sarif,
}
