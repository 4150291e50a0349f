"""Vulnerability-database contract: record types, source kinds, statuses, errors.

Owns the values importers produce (:class:`Advisory`, :class:`AffectedEntry`,
:class:`SupportEnded`, bundled in an :class:`ImportBatch`), what the matcher
reads of an advisory (:class:`AdvisoryBrief`), the enums that name
sources (:class:`SourceKind`), distro statuses (:class:`EntryStatus`) and
severities (:class:`Severity`, re-exported from :mod:`hullguard.model.severity`:
one enum for every scanner; Debian's ``unimportant`` is its ``NEGLIGIBLE``),
the :class:`Importer` protocol and the error
family (:class:`VulnDBError`, :class:`SchemaDrift`). Everything is frozen.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NewType, Protocol

from hullguard.errors import DatabaseError
from hullguard.model.severity import Severity as Severity  # re-export: one enum

VulnId = NewType("VulnId", str)


class VulnDBError(DatabaseError):
    """The vulnerability database is missing, corrupt, or an import/update failed."""


class SchemaDrift(VulnDBError):
    """An input file does not have the fields its format promises."""

    def __init__(self, file: str, field_name: str, problem: str) -> None:
        super().__init__(
            f"{file}: field {field_name!r} {problem}",
            hint="the upstream format may have changed; the database was left unchanged",
        )
        self.file = file
        self.field_name = field_name


class SourceKind(StrEnum):
    """Which importer reads a source."""

    OSV = "osv"
    ALPINE_SECDB = "alpine-secdb"
    DEBIAN_OVAL = "debian-oval"
    DEBIAN_TRACKER = "debian-tracker"
    NPM_LEGACY = "npm-legacy"
    DEBIAN_SUPPORT = "debian-security-support"


#: lower = preferred when two sources describe the same (namespace, package, id); the
#: database stores the choice at build (``affected.best``): a change here needs a new
#: ``SCHEMA_VERSION`` so that older files are rebuilt
SOURCE_PRIORITY: dict[SourceKind, int] = {
    SourceKind.DEBIAN_TRACKER: 0,
    SourceKind.ALPINE_SECDB: 0,
    SourceKind.OSV: 1,
    SourceKind.DEBIAN_OVAL: 2,
    SourceKind.NPM_LEGACY: 3,
    SourceKind.DEBIAN_SUPPORT: 9,
}


class EntryStatus(StrEnum):
    """What a source says about one (advisory, package) pair."""

    AFFECTED = "affected"  # ranges/versions decide; a fixed version may exist
    NOT_AFFECTED = "not-affected"
    WILL_NOT_FIX = "will-not-fix"
    NO_FIX = "no-fix"
    END_OF_LIFE = "end-of-life"
    UNDETERMINED = "undetermined"


@dataclass(frozen=True)
class Advisory:
    """One vulnerability record (an OSV record, a CVE from a distro feed, ...)."""

    id: VulnId
    source: SourceKind
    aliases: tuple[str, ...] = ()
    summary: str = ""
    details: str = ""
    severity: Severity = Severity.UNKNOWN
    severity_source: str = ""
    cvss_vector: str = ""
    cvss_score: float | None = None
    published: str = ""
    modified: str = ""
    withdrawn: str = ""
    references: tuple[str, ...] = ()


def advisory_title(summary: str, details: str) -> str:
    """A finding's title: the summary (else the details) on one line, at most 120 characters."""
    line = " ".join((summary or details).split())
    return line if len(line) <= 120 else line[:117] + "..."


@dataclass(frozen=True)
class AdvisoryBrief:
    """What a finding shows of an :class:`Advisory`, read without its long texts.

    ``title`` is :func:`advisory_title` (stored by the database build).
    """

    id: VulnId
    aliases: tuple[str, ...]
    title: str
    severity: Severity
    severity_source: str
    cvss_vector: str
    cvss_score: float | None
    references: tuple[str, ...]

    @classmethod
    def of(cls, advisory: Advisory) -> AdvisoryBrief:
        """The brief of a whole advisory."""
        return cls(
            advisory.id,
            advisory.aliases,
            advisory_title(advisory.summary, advisory.details),
            advisory.severity,
            advisory.severity_source,
            advisory.cvss_vector,
            advisory.cvss_score,
            advisory.references,
        )


@dataclass(frozen=True)
class AffectedEntry:
    """One advisory applying to one package of one namespace.

    ``namespace`` is an OSV ecosystem (``PyPI``, ``Go``) or a distro release
    (``debian:12``, ``alpine:3.19``); ``name`` is normalised (PEP 503, lower
    case npm, source package for distros). ``affected`` is an OSV ``affected[]``
    object (``ranges``/``versions``) evaluated with the namespace's scheme.
    ``range_key`` (optional) identifies ``affected`` (its stored JSON text):
    entries with equal keys share one compiled form in the matcher.
    Read from a database: ``bounds`` is ``affected`` pre-compiled at import
    (:mod:`hullguard.versions.osv_bounds`, ``""`` when not possible) and
    ``fixed_sorted`` says ``fixed`` is already de-duplicated and in version order.
    """

    advisory_id: VulnId
    namespace: str
    name: str
    source: SourceKind
    status: EntryStatus
    affected: Mapping[str, object] = field(default_factory=dict, compare=False, hash=False)
    fixed: tuple[str, ...] = ()
    severity: Severity = Severity.UNKNOWN
    range_key: str = field(default="", compare=False)
    bounds: str = field(default="", compare=False)
    fixed_sorted: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class SupportEnded:
    """A distro source package whose security support ended early."""

    namespace: str
    name_pattern: str
    last_version: str
    end_date: str
    details: str


@dataclass
class ImportBatch:
    """What one importer produced from one input (mutable while importing)."""

    source: SourceKind
    origin: str
    advisories: list[Advisory] = field(default_factory=list)
    entries: list[AffectedEntry] = field(default_factory=list)
    support_ended: list[SupportEnded] = field(default_factory=list)

    @property
    def record_count(self) -> int:
        return len(self.advisories) + len(self.support_ended)


class Importer(Protocol):
    """Reads one source format from bytes (sans-I/O); ``name`` is the file name."""

    kind: SourceKind

    def accepts(self, name: str, head: bytes) -> bool:
        """Whether a file with this name and first bytes is in this format."""
        ...

    def parse(self, name: str, data: bytes) -> Iterator[ImportBatch]:
        """Records of one file; raise :class:`SchemaDrift` on unknown shapes."""
        ...
