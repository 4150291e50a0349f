"""Database rows -> record values, decoded once per distinct text.

Owns :class:`RowDecoder`: many ``affected`` rows share the same ``fixed`` list
and the same OSV ``affected`` object (a Debian upload fixing ten CVEs), so the
JSON of each distinct text is decoded once and the decoded value shared
(read-only by contract), and enum values come from dict look-ups instead of
enum construction. The entry keeps its ``affected`` text as ``range_key`` so
the matcher compiles each distinct range set once.
"""

from __future__ import annotations

import json
from typing import Any

from hullguard.vulndb.interface import (
    Advisory,
    AffectedEntry,
    EntryStatus,
    Severity,
    SourceKind,
    VulnId,
)

_SOURCES = {s.value: s for s in SourceKind}
_STATUSES = {s.value: s for s in EntryStatus}
_SEVERITIES = {s.value: s for s in Severity}


class RowDecoder:
    """Decodes ``affected``/``advisories`` rows, sharing equal decoded values."""

    def __init__(self) -> None:
        self._affected: dict[str, dict[str, object]] = {}
        self._lists: dict[str, tuple[str, ...]] = {}

    def _list(self, text: str) -> tuple[str, ...]:
        found = self._lists.get(text)
        if found is None:
            found = self._lists[text] = tuple(json.loads(text))
        return found

    def entry(self, namespace: str, row: tuple[Any, ...]) -> AffectedEntry:
        """``(name, advisory_id, source, status, fixed, affected, severity)`` -> entry."""
        name, vid, source, status, fixed, affected, severity = row
        decoded = self._affected.get(affected)
        if decoded is None:
            decoded = self._affected[affected] = json.loads(affected)
        return AffectedEntry(
            VulnId(vid),
            namespace,
            name,
            _SOURCES[source],
            _STATUSES[status],
            decoded,
            self._list(fixed),
            _SEVERITIES[severity],
            range_key=affected,
        )

    def advisory(self, row: tuple[Any, ...]) -> Advisory:
        """A ``SELECT * FROM advisories`` row -> :class:`Advisory`."""
        return Advisory(
            id=VulnId(row[0]),
            source=_SOURCES[row[2]],
            aliases=self._list(row[3]),
            summary=row[4],
            details=row[5],
            severity=_SEVERITIES[row[6]],
            severity_source=row[7],
            cvss_vector=row[8],
            cvss_score=row[9],
            published=row[10],
            modified=row[11],
            withdrawn=row[12],
            references=self._list(row[13]),
        )
