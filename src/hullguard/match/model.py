"""Matching results: findings, skipped packages, suppressions, options, the report.

All frozen values; collections are tuples in a total order (see
:meth:`Finding.sort_key`), so the same input renders byte-identical output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from hullguard.model.package import Evidence, PackageType
from hullguard.vulndb.interface import Severity


class FindingStatus(StrEnum):
    """Whether and how a finding can be fixed."""

    FIXED = "fixed"  # a fixed version exists: upgrade
    AFFECTED_NO_FIX = "affected-no-fix"
    WILL_NOT_FIX = "will-not-fix"
    END_OF_LIFE = "end-of-life"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Suppression:
    """Why a finding is suppressed: an ignore rule or a VEX statement."""

    kind: str  # "ignore-file" | "openvex" | "cyclonedx-vex"
    reason: str
    source: str  # file the rule came from
    expires: str = ""


@dataclass(frozen=True)
class Finding:
    """One vulnerability affecting one installed package."""

    vuln_id: str
    aliases: tuple[str, ...]
    package_name: str
    package_version: str
    package_type: PackageType
    purl: str
    installed_version: str  # the version compared (source version for distros)
    fixed_versions: tuple[str, ...]
    status: FindingStatus
    severity: Severity
    severity_source: str
    cvss_score: float | None
    cvss_vector: str
    title: str
    namespace: str
    lookup_name: str  # name looked up: source package for distros, normalised name otherwise
    data_source: str
    evidence: tuple[Evidence, ...] = ()
    references: tuple[str, ...] = ()
    suppression: Suppression | None = None

    def sort_key(self) -> tuple[int, str, str, str, str]:
        return (-self.severity.rank, self.vuln_id, self.package_name, self.package_version,
                self.purl)  # fmt: skip

    @property
    def ids(self) -> frozenset[str]:
        return frozenset((self.vuln_id, *self.aliases))

    @property
    def layer_index(self) -> int | None:
        indexes = [e.layer_index for e in self.evidence if e.layer_index is not None]
        return min(indexes) if indexes else None

    @property
    def created_by(self) -> str:
        for e in sorted(self.evidence, key=lambda e: (e.layer_index or 0, e.path)):
            if e.created_by:
                return e.created_by
        return ""


@dataclass(frozen=True)
class Skipped:
    """A package (or advisory) that could not be evaluated, and why."""

    package_name: str
    package_version: str
    purl: str
    reason: str
    vuln_id: str = ""


@dataclass(frozen=True)
class EolNotice:
    """A distro release or source package past its end of security support."""

    namespace: str
    package: str  # "" for the whole release
    end_date: str
    details: str


@dataclass(frozen=True)
class VulnOptions:
    """How to match, suppress and gate (the CLI fills this from its flags)."""

    today: date
    fail_on: Severity | None = None
    display_min: Severity = Severity.UNKNOWN
    ignore_unfixed: bool = False
    stale_after: timedelta = timedelta(days=2)
    ignore_rules: tuple[IgnoreRule, ...] = ()
    vex: tuple[VexStatement, ...] = ()


@dataclass(frozen=True)
class IgnoreRule:
    """One ``.hullguardignore`` entry."""

    id: str
    reason: str
    source: str
    package: str = ""
    purl: str = ""
    path: str = ""
    expires: date | None = None


@dataclass(frozen=True)
class VexStatement:
    """One VEX statement: a vulnerability (by id or alias) and its status for products."""

    vuln_id: str
    status: str  # not_affected | affected | fixed | under_investigation
    justification: str
    source: str
    kind: str
    products: tuple[str, ...] = ()  # purls (no products = every package)

    @property
    def suppresses(self) -> bool:
        return self.status in ("not_affected", "fixed")


@dataclass(frozen=True)
class GateDecision:
    """The exit decision and per-severity counts of unsuppressed findings."""

    failed: bool
    exit_code: int
    threshold: Severity | None
    counts: tuple[tuple[Severity, int], ...]
    suppressed: int
    reasons: tuple[str, ...] = ()

    def summary_line(self) -> str:
        parts = ", ".join(f"{s.value}: {n}" for s, n in self.counts)
        return f"Total: {sum(n for _, n in self.counts)} ({parts}); suppressed: {self.suppressed}"


@dataclass(frozen=True)
class VulnReport:
    """Everything a scan learned about vulnerabilities (input of every renderer)."""

    target: str
    findings: tuple[Finding, ...]
    displayed: tuple[Finding, ...]
    suppressed: tuple[Finding, ...]
    skipped: tuple[Skipped, ...]
    eol: tuple[EolNotice, ...]
    warnings: tuple[str, ...]
    db_built_at: str
    db_age_hours: float | None
    decision: GateDecision
    os_namespace: str = ""
    package_count: int = 0
    dockerfile_lines: tuple[tuple[str, int], ...] = field(default=())
