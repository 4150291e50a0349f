"""OSV importer: one OSV record (JSON or YAML) -> advisory + affected entries.

Covers every ecosystem OSV has; distro ecosystems (``Debian:12``,
``Alpine:v3.19``, ``Ubuntu:22.04:LTS``) become distro namespaces so distro
packages match them by source package. YAML is read with the *base* loader so
that every scalar stays a string (``1.10`` must not become the float 1.1).
GIT ranges are dropped (they never match a version); withdrawn records keep
their advisory row but no affected entries.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

import yaml

from hullguard.versions import is_withdrawn
from hullguard.vulndb.cvss_score import best_vector, score_vector, vector_label
from hullguard.vulndb.interface import (
    Advisory,
    AffectedEntry,
    EntryStatus,
    ImportBatch,
    SchemaDrift,
    Severity,
    SourceKind,
    VulnId,
)
from hullguard.vulndb.namespaces import namespace_for_ecosystem, normalize_name

_YAML_SUFFIXES = (".yaml", ".yml")
_KEPT_RANGE_TYPES = {"ECOSYSTEM", "SEMVER"}

try:  # the C loader is ~10x faster; fall back to the pure one
    _BaseLoader: Any = yaml.CBaseLoader
except AttributeError:  # pragma: no cover - depends on libyaml
    _BaseLoader = yaml.BaseLoader


def load_document(name: str, data: bytes) -> Any:
    """JSON or (all-strings) YAML by file name; errors become :class:`SchemaDrift`."""
    try:
        if name.endswith(_YAML_SUFFIXES):
            return yaml.load(data, Loader=_BaseLoader)  # noqa: S506 - base loader builds no objects
        return json.loads(data)
    except (yaml.YAMLError, ValueError) as exc:
        problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SchemaDrift(name, "<document>", f"does not parse: {problem}") from exc


def _need(doc: Mapping[str, Any], key: str, kind: type, name: str, where: str = "") -> Any:
    value = doc.get(key)
    if not isinstance(value, kind):
        what = "is missing" if value is None else f"is not a {kind.__name__}"
        raise SchemaDrift(name, f"{where}{key}", what)
    return value


def _strings(value: object) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def _severity(record: Mapping[str, Any]) -> tuple[Severity, str, str, float | None]:
    vector = best_vector(record.get("severity"))
    scored = score_vector(vector) if vector else None
    db_specific = record.get("database_specific")
    vendor = db_specific.get("severity") if isinstance(db_specific, dict) else None
    if isinstance(vendor, str) and Severity.from_vendor(vendor) is not Severity.UNKNOWN:
        return (
            Severity.from_vendor(vendor),
            "vendor (OSV database_specific)",
            vector,
            _score(scored),
        )
    if scored is not None:
        return scored[1], f"{vector_label(vector)} vector", vector, scored[0]
    return Severity.UNKNOWN, "", vector, None


def _score(scored: tuple[float, Severity] | None) -> float | None:
    return scored[0] if scored else None


def _references(record: Mapping[str, Any]) -> tuple[str, ...]:
    refs = record.get("references")
    if not isinstance(refs, list):
        return ()
    return tuple(sorted({str(r["url"]) for r in refs if isinstance(r, dict) and r.get("url")}))


def advisory_of(record: Mapping[str, Any], name: str, source: SourceKind) -> Advisory:
    """The advisory row of an OSV record."""
    severity, severity_source, vector, score = _severity(record)
    return Advisory(
        id=VulnId(str(_need(record, "id", str, name))),
        source=source,
        aliases=tuple(sorted(set(_strings(record.get("aliases"))))),
        summary=str(record.get("summary") or ""),
        details=str(record.get("details") or ""),
        severity=severity,
        severity_source=severity_source,
        cvss_vector=vector,
        cvss_score=score,
        published=str(record.get("published") or ""),
        modified=str(record.get("modified") or ""),
        withdrawn=str(record.get("withdrawn") or ""),
        references=_references(record),
    )


def _entry(
    vuln_id: VulnId, item: Mapping[str, Any], name: str, index: int, fallback: Severity
) -> AffectedEntry:
    where = f"affected[{index}]."
    package = _need(item, "package", dict, name, where)
    ecosystem = str(_need(package, "ecosystem", str, name, f"{where}package."))
    pkg_name = str(_need(package, "name", str, name, f"{where}package."))
    ranges = item.get("ranges") or []
    if not isinstance(ranges, list) or not all(isinstance(r, dict) for r in ranges):
        raise SchemaDrift(name, f"{where}ranges", "is not a list of objects")
    kept_events = [
        (str(r.get("type")), _events(r, name, where))
        for r in ranges
        if str(r.get("type")) in _KEPT_RANGE_TYPES
    ]
    kept = [{"type": t, "events": ev} for t, ev in kept_events]
    fixed = tuple(e["fixed"] for _, ev in kept_events for e in ev if "fixed" in e)
    eco_specific = item.get("ecosystem_specific")
    urgency = eco_specific.get("urgency") if isinstance(eco_specific, dict) else None
    return AffectedEntry(
        advisory_id=vuln_id,
        namespace=namespace_for_ecosystem(ecosystem),
        name=normalize_name(ecosystem.split(":", 1)[0], pkg_name),
        source=SourceKind.OSV,
        status=EntryStatus.AFFECTED,
        affected={"ranges": kept, "versions": list(_strings(item.get("versions")))},
        fixed=fixed,
        severity=Severity.from_vendor(urgency) if isinstance(urgency, str) else fallback,
    )


def _events(rng: Mapping[str, Any], name: str, where: str) -> list[dict[str, str]]:
    events = rng.get("events")
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        raise SchemaDrift(name, f"{where}ranges[].events", "is not a list of objects")
    return [{str(k): str(v) for k, v in e.items()} for e in events]


def batch_of(record: Any, name: str) -> ImportBatch:
    """One parsed OSV record -> a batch (advisory + entries)."""
    if not isinstance(record, dict):
        raise SchemaDrift(name, "<document>", "is not an OSV object")
    advisory = advisory_of(record, name, SourceKind.OSV)
    batch = ImportBatch(SourceKind.OSV, name, advisories=[advisory])
    affected = record.get("affected") or []
    if not isinstance(affected, list):
        raise SchemaDrift(name, "affected", "is not a list")
    if is_withdrawn(record):
        return batch
    merged: dict[tuple[str, str], AffectedEntry] = {}
    for i, item in enumerate(affected):
        if _is_object(item, name, i):
            entry = _entry(advisory.id, item, name, i, Severity.UNKNOWN)
            key = (entry.namespace, entry.name)
            merged[key] = _merge(merged[key], entry) if key in merged else entry
    batch.entries.extend(merged.values())
    return batch


def _merge(a: AffectedEntry, b: AffectedEntry) -> AffectedEntry:
    """Two ``affected[]`` objects for one package: any of their ranges/versions applies."""
    ranges = [*_as_list(a.affected.get("ranges")), *_as_list(b.affected.get("ranges"))]
    versions = [*_as_list(a.affected.get("versions")), *_as_list(b.affected.get("versions"))]
    return replace(
        a,
        affected={"ranges": ranges, "versions": sorted(set(map(str, versions)))},
        fixed=tuple(dict.fromkeys((*a.fixed, *b.fixed))),
    )


def _as_list(value: object) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def _is_object(item: object, name: str, index: int) -> bool:
    if not isinstance(item, dict):
        raise SchemaDrift(name, f"affected[{index}]", "is not an object")
    return True


class OsvImporter:
    """OSV records as ``.json``/``.yaml`` files (also inside directories and zips)."""

    kind = SourceKind.OSV

    def accepts(self, name: str, head: bytes) -> bool:
        if name.endswith(_YAML_SUFFIXES):
            return b"affected" in head or b"id:" in head
        stripped = head.lstrip()
        return (
            name.endswith(".json")
            and stripped.startswith((b"{", b"["))
            and b'"id"' in head
            and b'"module_name"' not in head
            and b'"distroversion"' not in head
        )

    def parse(self, name: str, data: bytes) -> Iterator[ImportBatch]:
        doc = load_document(name, data)
        if isinstance(doc, list):  # some feeds ship a JSON array of records
            for record in doc:
                yield batch_of(record, name)
            return
        yield batch_of(doc, name)
