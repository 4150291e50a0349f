"""Legacy Node Security WG advisories (``vuln/npm/<n>.json``, not OSV).

Each file: ``id``, ``module_name``, ``vulnerable_versions`` (an npm range),
``patched_versions``, ``cves``, ``cvss_vector``/``cvss_score``, ``title``,
``overview``. Stored as ``NSWG-ECO-<id>`` in the ``npm`` namespace with the npm
range kept verbatim (``affected["npm_range"]``) and evaluated with
:class:`NpmRange` (node-semver rules) at match time. ``index.json`` (all
records keyed by id) is read the same way; duplicates collapse in the DB.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from hullguard.vulndb.cvss_score import score_vector, vector_label
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

_REQUIRED: dict[str, type | tuple[type, ...]] = {
    "id": (int, str),
    "module_name": str,
    "vulnerable_versions": (str, type(None)),
    "cves": list,
}


_KNOWN = {
    "id", "created_at", "updated_at", "title", "author", "module_name", "publish_date", "cves",
    "vulnerable_versions", "patched_versions", "overview", "recommendation", "references",
    "cvss_vector", "cvss_score", "coordinating_vendor",
}  # fmt: skip


def _check(record: Mapping[str, Any], name: str) -> None:
    unknown = sorted(set(record) - _KNOWN)
    if unknown:
        raise SchemaDrift(name, unknown[0], "is not a known advisory field")
    for key, kind in _REQUIRED.items():
        if key not in record:
            raise SchemaDrift(name, key, "is missing")
        if not isinstance(record[key], kind):
            raise SchemaDrift(name, key, f"has unexpected type {type(record[key]).__name__}")


def _batch(record: Mapping[str, Any], name: str) -> ImportBatch:
    _check(record, name)
    vuln = VulnId(f"NSWG-ECO-{record['id']}")
    vector = str(record.get("cvss_vector") or "")
    scored = score_vector(vector) if vector else None
    advisory = Advisory(
        vuln,
        SourceKind.NPM_LEGACY,
        aliases=tuple(sorted(str(c) for c in record["cves"])),
        summary=str(record.get("title") or ""),
        details=str(record.get("overview") or ""),
        severity=scored[1] if scored else Severity.UNKNOWN,
        severity_source=f"{vector_label(vector)} vector" if scored else "",
        cvss_vector=vector,
        cvss_score=scored[0] if scored else None,
        published=str(record.get("publish_date") or ""),
        modified=str(record.get("updated_at") or ""),
        references=tuple(sorted(str(r) for r in record.get("references") or ())),
    )
    patched = str(record.get("patched_versions") or "")
    entry = AffectedEntry(
        vuln,
        "npm",
        str(record["module_name"]).lower(),
        SourceKind.NPM_LEGACY,
        EntryStatus.AFFECTED,
        affected={"npm_range": str(record["vulnerable_versions"] or "*")},
        fixed=(patched,) if patched and patched != "<0.0.0" else (),
    )
    return ImportBatch(SourceKind.NPM_LEGACY, name, advisories=[advisory], entries=[entry])


class NpmLegacyImporter:
    """nodejs/security-wg ``vuln/npm`` JSON files."""

    kind = SourceKind.NPM_LEGACY

    def accepts(self, name: str, head: bytes) -> bool:
        return name.endswith(".json") and b'"module_name"' in head

    def parse(self, name: str, data: bytes) -> Iterator[ImportBatch]:
        try:
            doc = json.loads(data)
        except ValueError as exc:
            raise SchemaDrift(name, "<document>", f"is not JSON: {exc}") from exc
        if not isinstance(doc, dict):
            raise SchemaDrift(name, "<document>", "is not an object")
        if "module_name" in doc:
            yield _batch(doc, name)
            return
        for key, record in sorted(doc.items()):  # index.json: {id: record}
            if not isinstance(record, dict):
                raise SchemaDrift(name, key, "is not an advisory object")
            yield _batch(record, name)
