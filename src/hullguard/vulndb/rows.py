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
from collections.abc import Iterator, Mapping
from typing import Any

from hullguard.model.frozen import from_fields
from hullguard.vulndb.interface import (
    Advisory,
    AdvisoryBrief,
    AffectedEntry,
    EntryStatus,
    Severity,
    SourceKind,
    VulnId,
)

#: the database holds compact JSON this package wrote: ``raw_decode`` skips ``loads``
#: type checks and two whitespace regex matches per text (~30,000 texts per cold scan)
_decode_json = json.JSONDecoder().raw_decode


def _json(text: str) -> Any:
    return _decode_json(text)[0]


#: the columns of an :class:`AdvisoryBrief` (the stored title, not summary and details)
BRIEF_COLUMNS = "id, aliases, title, severity, severity_source, cvss_vector, cvss_score, refs"

_SOURCES = {s.value: s for s in SourceKind}
_STATUSES = {s.value: s for s in EntryStatus}
_SEVERITIES = {s.value: s for s in Severity}


def _one_plain_string(text: str) -> bool:
    """``["x"]`` with no escape inside: the list of one string, decoded by slicing."""
    return (
        text.startswith('["') and text.endswith('"]') and text.count('"') == 2
    ) and "\\" not in text


class LazyJSON(Mapping[str, object]):
    """A JSON object decoded on first access (entries with bounds rarely need it)."""

    __slots__ = ("_text", "_value")

    def __init__(self, text: str) -> None:
        self._text = text
        self._value: dict[str, object] | None = None

    def _decoded(self) -> dict[str, object]:
        if self._value is None:
            self._value = _json(self._text)
        return self._value

    def __getitem__(self, key: str) -> object:
        return self._decoded()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._decoded())

    def __len__(self) -> int:
        return len(self._decoded())


class RowDecoder:
    """Decodes ``affected``/``advisories`` rows, sharing equal decoded values."""

    def __init__(self) -> None:
        self._affected: dict[str, Mapping[str, object]] = {}
        self._lists: dict[str, tuple[str, ...]] = {}

    def _list(self, text: str) -> tuple[str, ...]:
        found = self._lists.get(text)
        if found is None:
            # '["x"]' (most fixed lists) is decoded by slicing
            found = (text[2:-2],) if _one_plain_string(text) else tuple(_json(text))
            self._lists[text] = found
        return found

    def entry(self, namespace: str, row: tuple[Any, ...]) -> AffectedEntry:
        """``(name, advisory_id, source, status, fixed, affected, severity, bounds)`` -> entry.

        With bounds the ``affected`` JSON is decoded only if someone reads it.
        """
        name, vid, source, status, fixed, affected, severity, bounds = row
        decoded = self._affected.get(affected)
        if decoded is None:
            decoded = self._affected[affected] = LazyJSON(affected) if bounds else _json(affected)
        return from_fields(
            AffectedEntry,
            {
                "advisory_id": vid,  # a VulnId (NewType: no runtime conversion)
                "namespace": namespace,
                "name": name,
                "source": _SOURCES[source],
                "status": _STATUSES[status],
                "affected": decoded,
                "fixed": self._list(fixed),
                "severity": _SEVERITIES[severity],
                "range_key": affected,
                "bounds": bounds,
                "fixed_sorted": True,
            },
        )

    def advisory(self, row: tuple[Any, ...]) -> Advisory:
        """A ``SELECT * FROM advisories`` row -> :class:`Advisory`."""
        return from_fields(
            Advisory,
            {
                "id": VulnId(row[0]),
                "source": _SOURCES[row[2]],
                "aliases": self._list(row[3]),
                "summary": row[4],
                "details": row[5],
                "severity": _SEVERITIES[row[6]],
                "severity_source": row[7],
                "cvss_vector": row[8],
                "cvss_score": row[9],
                "published": row[10],
                "modified": row[11],
                "withdrawn": row[12],
                "references": self._list(row[13]),
            },
        )

    def brief(self, row: tuple[Any, ...]) -> AdvisoryBrief:
        """A :data:`BRIEF_COLUMNS` row -> :class:`AdvisoryBrief`."""
        vid, aliases, title, severity, severity_source, vector, score, refs = row
        return from_fields(
            AdvisoryBrief,
            {
                "id": vid,  # a VulnId (NewType: no runtime conversion)
                "aliases": self._list(aliases),
                "title": title,
                "severity": _SEVERITIES[severity],
                "severity_source": severity_source,
                "cvss_vector": vector,
                "cvss_score": score,
                "references": self._list(refs),
            },
        )
