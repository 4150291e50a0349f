"""Sans-I/O matcher: packages x affected entries -> findings and skipped packages.

Per package and advisory id, the entry of the most trusted source wins
(:data:`SOURCE_PRIORITY`: the distro's own tracker/secdb before OSV before
OVAL before legacy feeds); a "not affected" verdict there means no finding.
Versions are compared with the namespace's strict scheme: by the database
itself for entries with stored plain bounds (``AdvisoryIndex.candidates``, the
cold path, which also applies the source choice stored at build), else by a
verdict function compiled once per distinct range set and cached on the index;
a version that does not parse puts the package in ``skipped``, never guessed.
Findings that share an id or alias for one package are merged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import suppress
from functools import lru_cache
from typing import Any, Protocol

from hullguard.match.gcpause import gc_paused
from hullguard.match.keys import LookupKey, lookup_key
from hullguard.match.model import Finding, FindingStatus, Skipped
from hullguard.model.frozen import from_fields
from hullguard.model.package import OSInfo, Package
from hullguard.versions import InvalidVersion, NpmRange, VersionScheme
from hullguard.versions.osv import compile_affected
from hullguard.versions.osv_bounds import bounds_check, portable_key
from hullguard.versions.registry import sort_versions
from hullguard.vulndb.interface import (
    SOURCE_PRIORITY,
    AdvisoryBrief,
    AffectedEntry,
    EntryStatus,
    Severity,
    SourceKind,
    VulnId,
)
from hullguard.vulndb.namespaces import scheme_for_namespace


class AdvisoryIndex(Protocol):
    """What the matcher needs from a database (``VulnDB`` implements it)."""

    compiled: dict[tuple[str, ...], Any]

    def candidates(
        self, wanted: Sequence[tuple[str, str, str, str | None, str | None]]
    ) -> list[tuple[int, AffectedEntry, bool]] | None:
        """Entries per wanted key with stored bounds checked (None: use :meth:`entries`).

        ``wanted`` holds ``(namespace, name, "\\n" + version + "\\n", ECOSYSTEM key,
        SEMVER key)`` (:func:`portable_key`); see ``VulnDB.candidates``.
        """
        ...

    def prefetch(self, keys: Iterable[tuple[str, str]]) -> None:
        """Load the entries of these ``(namespace, name)`` keys in bulk (may be a no-op)."""
        ...

    def entries(self, namespace: str, name: str) -> list[AffectedEntry]: ...

    def briefs(self, ids: Iterable[str]) -> dict[str, AdvisoryBrief]:
        """What findings show of these advisories (missing ids are absent)."""
        ...


_INACTIVE = {EntryStatus.NOT_AFFECTED, EntryStatus.UNDETERMINED}
_STATUS = {
    EntryStatus.NO_FIX: FindingStatus.AFFECTED_NO_FIX,
    EntryStatus.WILL_NOT_FIX: FindingStatus.WILL_NOT_FIX,
    EntryStatus.END_OF_LIFE: FindingStatus.END_OF_LIFE,
}


Check = Callable[[str], bool]


def _check_key(entry: AffectedEntry, scheme: VersionScheme) -> tuple[str, ...]:
    # entries with the same stored ``affected`` text share one compiled check
    if entry.range_key:
        return ("check", scheme, entry.range_key)
    return ("check", entry.namespace, entry.name, entry.advisory_id, entry.source)


def _compile(index: AdvisoryIndex, entry: AffectedEntry, scheme: VersionScheme) -> Check:
    """The entry's verdict function ``version -> affected`` (compiled once, cached)."""
    key = _check_key(entry, scheme)
    found: Check | None = index.compiled.get(key)
    if found is None:
        if entry.bounds:  # pre-compiled at import: no advisory version parsed here
            found = bounds_check(entry.bounds, scheme)
        elif (npm := entry.affected.get("npm_range")) is not None:
            found = NpmRange.parse(str(npm)).allows
        else:
            found = compile_affected(entry.affected, scheme).affects
        index.compiled[key] = found
    return found


def precompile(index: AdvisoryIndex, entry: AffectedEntry) -> None:
    """Compile one entry into the index's cache (for ``VulnDB.preload``)."""
    if entry.status not in _INACTIVE:
        with suppress(InvalidVersion):  # reported as skipped when a package meets it
            _compile(index, entry, scheme_for_namespace(entry.namespace))


def _best(entries: Sequence[AffectedEntry]) -> dict[VulnId, AffectedEntry]:
    best: dict[VulnId, AffectedEntry] = {}
    for entry in sorted(entries, key=lambda e: SOURCE_PRIORITY[e.source]):
        best.setdefault(entry.advisory_id, entry)
    return best


def _status(entry: AffectedEntry) -> FindingStatus:
    found = _STATUS.get(entry.status)
    if found is not None:
        return found
    return FindingStatus.FIXED if entry.fixed else FindingStatus.AFFECTED_NO_FIX


#: ``SourceKind.value`` is a Python-level property: these are read once per template
_SOURCE_NAMES = {kind: kind.value for kind in SourceKind}
_VENDOR = {kind: f"vendor ({kind.value})" for kind in SourceKind}


def _severity(entry: AffectedEntry, advisory: AdvisoryBrief | None) -> tuple[Severity, str]:
    if entry.severity is not Severity.UNKNOWN:
        return entry.severity, _VENDOR[entry.source]
    if advisory is not None and advisory.severity is not Severity.UNKNOWN:
        return advisory.severity, advisory.severity_source
    return Severity.UNKNOWN, ""


_sorted_fixed = lru_cache(maxsize=1 << 16)(sort_versions)


def _template(entry: AffectedEntry, advisory: AdvisoryBrief | None) -> dict[str, Any]:
    """The package-independent fields of a finding for one entry."""
    severity, severity_source = _severity(entry, advisory)
    return {
        "vuln_id": entry.advisory_id,
        "aliases": advisory.aliases if advisory else (),
        "fixed_versions": entry.fixed
        if entry.fixed_sorted
        else _sorted_fixed(entry.fixed, scheme_for_namespace(entry.namespace)),
        "status": _status(entry),
        "severity": severity,
        "severity_source": severity_source,
        "cvss_score": advisory.cvss_score if advisory else None,
        "cvss_vector": advisory.cvss_vector if advisory else "",
        "title": advisory.title if advisory else "",
        "namespace": entry.namespace,
        "lookup_name": entry.name,
        "data_source": _SOURCE_NAMES[entry.source],
        "references": advisory.references if advisory else (),
    }


def _finding(
    index: AdvisoryIndex,
    package: Package,
    key: LookupKey,
    hit: PlanItem,
    advisories: dict[str, AdvisoryBrief],
) -> Finding:
    entry, _, template_key = hit
    template = index.compiled.get(template_key)
    if template is None:
        template = _template(entry, advisories.get(entry.advisory_id))
        index.compiled[template_key] = template
    return from_fields(
        Finding,
        {
            **template,
            "package_name": package.name,
            "package_version": package.version,
            "package_type": package.type,
            "purl": package.purl,
            "installed_version": key.version,
            "evidence": package.evidence,
            "suppression": None,
        },
    )


def _merge_aliases(findings: list[tuple[int, Finding]]) -> list[Finding]:
    """Keep one finding per vulnerability (ids and aliases), the best source first."""
    if len(findings) == 1:
        return [findings[0][1]]
    kept: list[Finding] = []
    seen: set[str] = set()
    for _, finding in sorted(findings, key=lambda pf: (pf[0], pf[1].vuln_id)):
        if finding.vuln_id in seen or not seen.isdisjoint(finding.aliases):
            continue
        seen.add(finding.vuln_id)
        seen.update(finding.aliases)
        kept.append(finding)
    return kept


#: an active best entry of a key with the cache keys of its check and finding template
PlanItem = tuple[AffectedEntry, tuple[str, ...], tuple[str, ...]]
#: per lookup key: its scheme and its plan items
Plan = tuple[VersionScheme, list[PlanItem]]


def _template_key(entry: AffectedEntry) -> tuple[str, ...]:
    return ("finding", entry.namespace, entry.name, entry.advisory_id, entry.source)


def _plan(index: AdvisoryIndex, key: LookupKey) -> Plan:
    """What to evaluate for one ``(namespace, name)`` (worked out once per key)."""
    plan_key = ("plan", key.namespace, key.name)
    plan: Plan | None = index.compiled.get(plan_key)
    if plan is None:
        best = _best(index.entries(key.namespace, key.name)).values()
        scheme = scheme_for_namespace(key.namespace) if best else VersionScheme.GENERIC
        active: list[PlanItem] = [
            (e, _check_key(e, scheme), _template_key(e)) for e in best if e.status not in _INACTIVE
        ]
        plan = index.compiled[plan_key] = (scheme, active)
    return plan


def _hits(
    package: Package, key: LookupKey, index: AdvisoryIndex
) -> tuple[list[PlanItem], list[Skipped]]:
    """The best entries of each advisory whose ranges include the package's version."""
    scheme, plan = _plan(index, key)
    compiled, version = index.compiled, key.version
    hits: list[PlanItem] = []
    skipped: list[Skipped] = []
    for item in plan:
        entry, check_key, _ = item  # hot loop: ~32,000 checks in a cold 5,000-package scan
        try:
            check = compiled.get(check_key) or _compile(index, entry, scheme)
            if check(version):
                hits.append(item)
        except InvalidVersion as exc:
            if exc.version == key.version:
                return [], [Skipped(package.name, package.version, package.purl, exc.message)]
            skipped.append(
                Skipped(package.name, package.version, package.purl, exc.message, entry.advisory_id)
            )
    return hits, skipped


def _findings(
    index: AdvisoryIndex,
    package: Package,
    key: LookupKey,
    hits: Sequence[PlanItem],
    advisories: dict[str, AdvisoryBrief],
) -> list[Finding]:
    findings = [
        (SOURCE_PRIORITY[hit[0].source], _finding(index, package, key, hit, advisories))
        for hit in hits
    ]
    return _merge_aliases(findings)


def match_package(
    package: Package, os_info: OSInfo | None, index: AdvisoryIndex
) -> tuple[list[Finding], list[Skipped]]:
    """Findings for one package, plus what could not be evaluated."""
    key = lookup_key(package, os_info)
    if key is None:
        return [], []
    hits, skipped = _hits(package, key, index)
    advisories = index.briefs([hit[0].advisory_id for hit in hits]) if hits else {}
    return _findings(index, package, key, hits, advisories), skipped


def match_packages(
    packages: Sequence[Package], os_info: OSInfo | None, index: AdvisoryIndex
) -> tuple[list[Finding], list[Skipped]]:
    """Findings and skipped entries for every package, in canonical order.

    Reads the database in bulk: one prefetch of every package's key, one
    advisory look-up for every hit (a fresh process touches only those rows).
    The cyclic garbage collector is paused meanwhile (see :mod:`.gcpause`).
    """
    with gc_paused():
        return _match_all(packages, os_info, index)


def _match_all(
    packages: Sequence[Package], os_info: OSInfo | None, index: AdvisoryIndex
) -> tuple[list[Finding], list[Skipped]]:
    keyed = [(p, k) for p in packages if (k := lookup_key(p, os_info)) is not None]
    results = _checked_in_db(index, keyed)
    if results is None:  # no stored intervals: evaluate every entry here
        index.prefetch((k.namespace, k.name) for _, k in keyed)
        results = [_hits(package, key, index) for package, key in keyed]
    findings: list[Finding] = []
    skipped: list[Skipped] = []
    matched: list[tuple[Package, LookupKey, list[PlanItem]]] = []
    for (package, key), (hits, missed) in zip(keyed, results, strict=True):
        skipped.extend(missed)
        if hits:
            matched.append((package, key, hits))
    advisories = index.briefs(hit[0].advisory_id for _, _, hits in matched for hit in hits)
    for package, key, hits in matched:
        findings.extend(_findings(index, package, key, hits, advisories))
    findings.sort(key=Finding.sort_key)
    skipped.sort(key=lambda s: (s.package_name, s.package_version, s.purl, s.vuln_id))
    return findings, skipped


#: schemes whose advisories use SEMVER-typed ranges; elsewhere such a range (if any) is
#: evaluated here, not in SQLite (a None key is always exact, only slower)
_SEMVER_RANGES = {VersionScheme.GOLANG, VersionScheme.NPM, VersionScheme.SEMVER}


def _wanted(key: LookupKey) -> tuple[str, str, str, str | None, str | None]:
    scheme = scheme_for_namespace(key.namespace)
    semver = portable_key("S", scheme, key.version) if scheme in _SEMVER_RANGES else None
    line = "\n" + key.version + "\n"
    return key.namespace, key.name, line, portable_key("E", scheme, key.version), semver


def _checked_in_db(
    index: AdvisoryIndex, keyed: Sequence[tuple[Package, LookupKey]]
) -> list[tuple[list[PlanItem], list[Skipped]]] | None:
    """Hits and skips per package with plain intervals checked by the database.

    Each distinct ``(namespace, name, version)`` is resolved once (and kept in
    the index's cache for later scans); a package
    whose own version fails to parse on an entry goes through :func:`_hits`,
    which reports exactly what the in-memory path reports.
    """
    cache = index.compiled  # resolved versions are kept: a second scan asks SQLite less
    todo: dict[tuple[str, str, str], int] = {}
    wanted: list[tuple[str, str, str, str | None, str | None]] = []
    for _, key in keyed:
        triple = (key.namespace, key.name, key.version)
        if triple not in todo and ("resolved", *triple) not in cache:
            todo[triple] = len(wanted)
            wanted.append(_wanted(key))
    rows = index.candidates(wanted)
    if rows is None:
        return None
    found: list[list[tuple[AffectedEntry, bool]]] = [[] for _ in wanted]
    for i, entry, decided in rows:
        found[i].append((entry, decided))
    for (namespace, name, version), items in zip(todo, found, strict=True):
        cache[("resolved", namespace, name, version)] = _resolve(index, namespace, version, items)
    out: list[tuple[list[PlanItem], list[Skipped]]] = []
    for package, key in keyed:
        done = cache[("resolved", key.namespace, key.name, key.version)]
        if done is None or "\n" in key.version:  # a newline would break the listed check
            out.append(_hits(package, key, index))
            continue
        hits, skips = done
        out.append(
            (hits, [Skipped(package.name, package.version, package.purl, m, v) for m, v in skips])
        )
    return out


def _resolve(
    index: AdvisoryIndex, namespace: str, version: str, items: list[tuple[AffectedEntry, bool]]
) -> tuple[list[PlanItem], list[tuple[str, str]]] | None:
    """Hits and ``(message, vuln id)`` skips of one version; None: its own version failed."""
    scheme = scheme_for_namespace(namespace) if items else VersionScheme.GENERIC
    compiled = index.compiled
    hits: list[PlanItem] = []
    skips: list[tuple[str, str]] = []
    for entry, decided in items:
        if decided:  # the database's check said affected: no check key needed
            hits.append((entry, (), _template_key(entry)))
            continue
        item = (entry, _check_key(entry, scheme), _template_key(entry))
        try:
            if (compiled.get(item[1]) or _compile(index, entry, scheme))(version):
                hits.append(item)
        except InvalidVersion as exc:
            if exc.version == version:
                return None
            skips.append((exc.message, entry.advisory_id))
    return hits, skips


def distinct_ids(findings: Iterable[Finding]) -> Mapping[str, int]:
    """How many packages each vulnerability id affects."""
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.vuln_id] = counts.get(f.vuln_id, 0) + 1
    return counts
