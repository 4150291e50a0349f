"""Shared input of every lint renderer, and the format registry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from hullguard.lint.engine import LintResult
from hullguard.lint.interface import RuleMeta, Severity


@dataclass(frozen=True)
class Report:
    """Everything a renderer needs: results, rule metadata, the failure threshold."""

    results: tuple[LintResult, ...]
    rules: tuple[RuleMeta, ...]
    fail_on: Severity
    tool_version: str
    #: only findings of these severities are shown (all when empty)
    shown: frozenset[Severity] = frozenset()
    color: bool = False
    width: int = 120

    def visible(self, result: LintResult) -> tuple:  # type: ignore[type-arg]
        if not self.shown:
            return result.findings
        return tuple(f for f in result.findings if f.severity in self.shown)

    def counts(self) -> dict[str, int]:
        out = {s.value: 0 for s in Severity}
        out["suppressed"] = 0
        for result in self.results:
            for finding in self.visible(result):
                if finding.suppressed:
                    out["suppressed"] += 1
                else:
                    out[finding.severity.value] += 1
        return out

    @property
    def passed(self) -> bool:
        return not any(r.failing(self.fail_on) for r in self.results)


class OutputFormat(StrEnum):
    """``--format`` choices."""

    TABLE = "table"
    JSON = "json"
    SARIF = "sarif"


Renderer = Callable[[Report], str]


def renderers() -> dict[OutputFormat, Renderer]:
    """Format -> renderer (imported lazily so ``rich`` loads only for tables)."""
    from hullguard.lint.output import json_out, sarif, table

    return {
        OutputFormat.TABLE: table.render,
        OutputFormat.JSON: json_out.render,
        OutputFormat.SARIF: sarif.render,
    }
