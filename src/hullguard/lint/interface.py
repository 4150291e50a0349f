"""Lint core types: rule ids, severities, findings, fixes and the Rule protocol.

Everything a rule produces and everything a renderer consumes is defined here,
so rules, the engine, the fixer and the renderers agree on one vocabulary.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NewType, Protocol, TypeVar

from hullguard.errors import HullguardError

#: stable rule identifier, e.g. ``HGD001``
RuleId = NewType("RuleId", str)

#: where each rule is documented (anchor = lower-case rule id)
DOCS_URL = "https://github.com/hullguard/hullguard/blob/main/docs/lint.md"


class Severity(StrEnum):
    """How bad a finding is; ordered from worst to informational."""

    CRITICAL = "CRITICAL"
    HIGH = "HIGH"
    MEDIUM = "MEDIUM"
    LOW = "LOW"
    INFO = "INFO"

    @property
    def rank(self) -> int:
        """Higher is worse (INFO = 0 ... CRITICAL = 4)."""
        return _RANK[self]

    @property
    def security_severity(self) -> str:
        """CVSS-like score GitHub code scanning reads from SARIF ``security-severity``."""
        return _SECURITY_SEVERITY[self]

    def at_least(self, other: Severity) -> bool:
        """True when this severity is ``other`` or worse."""
        return self.rank >= other.rank


_RANK = {
    Severity.INFO: 0,
    Severity.LOW: 1,
    Severity.MEDIUM: 2,
    Severity.HIGH: 3,
    Severity.CRITICAL: 4,
}
_SECURITY_SEVERITY = {
    Severity.INFO: "0.0",
    Severity.LOW: "3.0",
    Severity.MEDIUM: "5.5",
    Severity.HIGH: "8.0",
    Severity.CRITICAL: "9.5",
}


class LintError(HullguardError):
    """A lint input (Dockerfile, .dockerignore, config, pin map) cannot be used."""


class LintUsageError(LintError):
    """The lint command was asked for something that cannot work as written."""

    exit_code = 2


@dataclass(frozen=True, order=True)
class TextEdit:
    """Replace source lines ``start_line..end_line`` (1-based, inclusive) with ``text``.

    ``end_line == start_line - 1`` inserts ``text`` before ``start_line``.
    ``text`` holds whole lines, each ending in a newline (or is empty to delete).
    """

    start_line: int
    end_line: int
    text: str


@dataclass(frozen=True)
class Fix:
    """A mechanical rewrite that resolves a finding."""

    description: str
    edits: tuple[TextEdit, ...]


@dataclass(frozen=True)
class RuleMeta:
    """What a rule is: its id, default severity, one-line summary and aliases."""

    id: RuleId
    name: str
    severity: Severity
    summary: str
    #: ids of equivalent rules in other tools (hadolint ``DLxxxx``)
    aliases: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    @property
    def help_uri(self) -> str:
        """Link to the rule's section in docs/lint.md."""
        return f"{DOCS_URL}#{self.id.lower()}"


@dataclass(frozen=True)
class Finding:
    """One problem at one place, with the action that resolves it."""

    rule_id: RuleId
    severity: Severity
    message: str
    file: str
    line: int
    column: int = 1
    end_line: int = 0
    fix: Fix | None = None
    #: why the finding is suppressed (inline ignore, config); empty when active
    suppressed: str = ""
    #: extra detail a renderer may show (e.g. the sensitive files found)
    details: tuple[str, ...] = field(default=())

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Total order used for every output."""
        return (self.file, self.line, self.column, self.rule_id, self.message)


T_contra = TypeVar("T_contra", contravariant=True)
C_contra = TypeVar("C_contra", contravariant=True)


class Rule(Protocol[T_contra, C_contra]):
    """A check over one lint target (e.g. a parsed Dockerfile) and its context."""

    @property
    def meta(self) -> RuleMeta: ...

    def check(self, target: T_contra, context: C_contra) -> Iterator[Finding]: ...
