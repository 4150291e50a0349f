"""Value types of the runtime audit: severities, profiles, rules, findings, results.

Everything here is a frozen dataclass, a ``StrEnum`` or a ``NewType`` so that the
sans-I/O checks, the fixers and the renderers exchange plain, comparable values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import NewType

#: stable rule identifier, e.g. ``AU103``
RuleId = NewType("RuleId", str)


class Severity(StrEnum):
    """How bad a finding is; ordered from least to most severe by :attr:`rank`."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {
    Severity.INFO: 0,
    Severity.LOW: 1,
    Severity.MEDIUM: 2,
    Severity.HIGH: 3,
    Severity.CRITICAL: 4,
}


class Profile(StrEnum):
    """Pod Security Standards level evaluated (restricted includes baseline)."""

    BASELINE = "baseline"
    RESTRICTED = "restricted"

    @property
    def rank(self) -> int:
        return 0 if self is Profile.BASELINE else 1


class InputKind(StrEnum):
    """What an audited file turned out to be."""

    KUBERNETES = "kubernetes"
    COMPOSE = "compose"
    DOCKER_RUN = "docker-run"


@dataclass(frozen=True)
class Rule:
    """One audit rule: what it checks, how bad it is and where it is documented."""

    id: RuleId
    name: str
    severity: Severity
    title: str
    remediation: str
    #: PSS control name (``"Privileged Containers"``) or ``None`` for hullguard's own rules
    pss_control: str | None = None
    #: lowest PSS profile that contains the control, ``None`` for hullguard's own rules
    pss_level: Profile | None = None
    #: whether ``--fix`` repairs it (Kubernetes manifests; compose where it maps)
    fixable: bool = False

    @property
    def anchor(self) -> str:
        """Anchor of the rule's section in ``docs/audit.md``."""
        return f"{self.id.lower()}-{self.name}"

    def applies_to(self, profile: Profile) -> bool:
        """Whether the rule is evaluated under ``profile``."""
        return self.pss_level is None or self.pss_level.rank <= profile.rank


@dataclass(frozen=True, order=True)
class Finding:
    """One problem at one place. Ordered by file, line, column, rule: a total key."""

    file: str
    line: int
    column: int
    rule_id: RuleId
    resource: str
    container: str
    field: str
    message: str
    severity: Severity


@dataclass(frozen=True)
class FileResult:
    """The audit of one file (or stdin): what it was and what was found."""

    path: str
    kind: InputKind
    findings: tuple[Finding, ...]
    original_text: str = ""
    #: text of the hardened file when a fix was computed (``None`` otherwise)
    fixed_text: str | None = None
    #: what the hardened text still violates (``None`` when no fix was computed)
    remaining: tuple[Finding, ...] | None = None
    notes: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return self.fixed_text is not None and self.fixed_text != self.original_text

    @property
    def effective(self) -> tuple[Finding, ...]:
        """Findings that still hold: after the fix when one was computed."""
        return self.findings if self.remaining is None else self.remaining


@dataclass(frozen=True)
class AuditOptions:
    """What to evaluate and whether to compute fixes."""

    profile: Profile = Profile.RESTRICTED
    fix: bool = False


@dataclass(frozen=True)
class AuditReport:
    """Everything one ``hullguard audit`` run produced, sorted and stable."""

    profile: Profile
    files: tuple[FileResult, ...] = field(default_factory=tuple)

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Findings that still hold (after ``--fix`` when it ran), sorted."""
        return tuple(sorted(f for fr in self.files for f in fr.effective))

    def at_or_above(self, threshold: Severity) -> tuple[Finding, ...]:
        """Findings whose severity is ``threshold`` or worse."""
        return tuple(f for f in self.findings if f.severity.rank >= threshold.rank)
