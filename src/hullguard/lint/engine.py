"""Run the Dockerfile rules over a parsed file and apply suppressions (no I/O).

Suppressed findings are kept, with the reason, so machine outputs still show
them (DESIGN: suppression never silently drops a finding).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from hullguard.lint.dockerfile.model import Dockerfile
from hullguard.lint.dockerfile.rules.framework import LintContext
from hullguard.lint.dockerfile.ruleset import DOCKERFILE_RULES
from hullguard.lint.interface import Finding, RuleId, RuleMeta, Severity


@dataclass(frozen=True)
class LintResult:
    """Findings of one file, sorted, suppressed ones included."""

    file: str
    findings: tuple[Finding, ...]

    @property
    def active(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if not f.suppressed)

    def failing(self, threshold: Severity) -> tuple[Finding, ...]:
        """Active findings at or above ``threshold``."""
        return tuple(f for f in self.active if f.severity.at_least(threshold))


def all_rules() -> tuple[RuleMeta, ...]:
    """Metadata of every Dockerfile rule, by id."""
    return DOCKERFILE_RULES.metas()


def _inline(df: Dockerfile) -> tuple[dict[int, frozenset[RuleId]], frozenset[RuleId]]:
    def ids(names: tuple[str, ...]) -> frozenset[RuleId]:
        found = (DOCKERFILE_RULES.resolve(n) for n in names)
        return frozenset(r for r in found if r is not None)

    local = {line: ids(names) for line, names in df.ignores}
    return local, ids(df.global_ignores)


def _suppression(
    finding: Finding,
    ignored: frozenset[RuleId],
    local: dict[int, frozenset[RuleId]],
    global_ids: frozenset[RuleId],
) -> str:
    if finding.rule_id in ignored:
        return "ignored by configuration"
    if finding.rule_id in global_ids:
        return "ignored by a global inline comment"
    if finding.rule_id in local.get(finding.line, frozenset()):
        return f"ignored by an inline comment above line {finding.line}"
    return ""


def lint_dockerfile(
    df: Dockerfile, context: LintContext, ignored: frozenset[RuleId] = frozenset()
) -> LintResult:
    """Every rule's findings for ``df``, with suppressions applied and sorted."""
    local, global_ids = _inline(df)
    findings: list[Finding] = []
    for rule in DOCKERFILE_RULES.rules():
        for finding in rule.check(df, context):
            reason = _suppression(finding, ignored, local, global_ids)
            findings.append(replace(finding, suppressed=reason) if reason else finding)
    findings.sort(key=lambda f: f.sort_key)
    return LintResult(file=df.path, findings=tuple(findings))
