"""Suppression: ``.hullguardignore`` rules (with expiry) and VEX statements.

Ignore file (YAML): a list of rules, or ``{rules: [...]}``; each rule has
``id`` (a vulnerability id or alias) and ``reason`` (both required), optional
``package`` (name), ``purl`` (compared without qualifiers; without a version
it covers every version) and ``path`` (glob over evidence paths), and
``expires`` (``YYYY-MM-DD``: from that day on the rule no longer applies and a
warning says so). Unknown keys are errors, so typos do not silently ignore
nothing. Suppressed findings are kept with their :class:`Suppression`.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from hullguard.errors import UsageError
from hullguard.match.model import Finding, IgnoreRule, Suppression, VexStatement

_KEYS = {"id", "reason", "package", "purl", "path", "expires"}


class SuppressionError(UsageError):
    """An ignore file or VEX document cannot be used as written."""


def _expires(value: Any, where: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise SuppressionError(f"{where}: expires {value!r} is not a YYYY-MM-DD date") from exc


def _rule(item: Any, source: str, index: int) -> IgnoreRule:
    where = f"{source}: rule {index + 1}"
    if not isinstance(item, dict):
        raise SuppressionError(f"{where} is not a mapping")
    unknown = sorted(set(item) - _KEYS)
    if unknown:
        raise SuppressionError(f"{where}: unknown key(s) {', '.join(map(str, unknown))}",
                               hint=f"allowed keys: {', '.join(sorted(_KEYS))}")  # fmt: skip
    for key in ("id", "reason"):
        if not str(item.get(key) or "").strip():
            raise SuppressionError(f"{where}: {key!r} is required")
    return IgnoreRule(
        id=str(item["id"]).strip(),
        reason=str(item["reason"]).strip(),
        source=source,
        package=str(item.get("package") or ""),
        purl=str(item.get("purl") or ""),
        path=str(item.get("path") or ""),
        expires=_expires(item.get("expires"), where),
    )


def parse_ignore_file(data: bytes, source: str) -> tuple[IgnoreRule, ...]:
    """Rules of one ``.hullguardignore`` (raises :class:`SuppressionError`)."""
    import yaml  # only when an ignore file exists (every scan imports this module)

    try:
        doc = yaml.safe_load(data)
    except yaml.YAMLError as exc:
        raise SuppressionError(f"{source} is not valid YAML: {str(exc).splitlines()[0]}") from exc
    if doc is None:
        return ()
    if isinstance(doc, dict) and set(doc) == {"rules"}:
        doc = doc["rules"]
    if not isinstance(doc, list):
        raise SuppressionError(f"{source}: expected a list of rules (or 'rules:' with a list)")
    return tuple(_rule(item, source, i) for i, item in enumerate(doc))


def purl_base(purl: str) -> str:
    """A purl without qualifiers and subpath."""
    return purl.split("?", 1)[0].split("#", 1)[0]


def purl_matches(pattern: str, purl: str) -> bool:
    """Whether a rule/VEX purl covers a package purl (versionless covers every version)."""
    want, have = purl_base(pattern), purl_base(purl)
    if want == have:
        return True
    return "@" not in want and have.split("@", 1)[0] == want


def _rule_matches(rule: IgnoreRule, finding: Finding) -> bool:
    if rule.id not in finding.ids:
        return False
    if rule.package and rule.package != finding.package_name:
        return False
    if rule.purl and not purl_matches(rule.purl, finding.purl):
        return False
    return not rule.path or any(fnmatch.fnmatch(e.path, rule.path) for e in finding.evidence)


def _vex_matches(statement: VexStatement, finding: Finding) -> bool:
    if statement.vuln_id not in finding.ids:
        return False
    return not statement.products or any(purl_matches(p, finding.purl) for p in statement.products)


def apply_suppressions(
    findings: Sequence[Finding],
    rules: Sequence[IgnoreRule],
    vex: Sequence[VexStatement],
    today: date,
) -> tuple[list[Finding], list[Finding], list[str]]:
    """Split findings into (active, suppressed) and return expiry warnings."""
    live = [r for r in rules if r.expires is None or r.expires > today]
    warnings = [
        f"ignore rule for {r.id} in {r.source} expired on {r.expires}; it no longer applies"
        for r in rules
        if r.expires is not None and r.expires <= today
    ]
    if not live and not vex:  # nothing can suppress: skip the per-finding checks
        return list(findings), [], sorted(set(warnings))
    active: list[Finding] = []
    suppressed: list[Finding] = []
    for finding in findings:
        why = _suppression(finding, live, vex)
        if why is None:
            active.append(finding)
        else:
            suppressed.append(replace(finding, suppression=why))
    return active, suppressed, sorted(set(warnings))


def _suppression(
    finding: Finding, rules: Sequence[IgnoreRule], vex: Sequence[VexStatement]
) -> Suppression | None:
    for rule in rules:
        if _rule_matches(rule, finding):
            expires = rule.expires.isoformat() if rule.expires else ""
            return Suppression("ignore-file", rule.reason, rule.source, expires)
    for statement in vex:
        if statement.suppresses and _vex_matches(statement, finding):
            reason = f"{statement.status}: {statement.justification}".rstrip(": ")
            return Suppression(statement.kind, reason, statement.source)
    return None
