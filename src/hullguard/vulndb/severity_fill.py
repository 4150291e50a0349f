"""Severity across aliases: UNKNOWN advisories take the severity of a record
that names the same vulnerability.

Alpine secdb, Debian OVAL, PYSEC and Go records mostly carry no severity; npm
legacy advisories and some PYSEC records carry a CVSS vector. When an advisory
with no severity and no vector shares an identifier (its id or an alias, e.g.
``CVE-2019-5786``) *directly* with a record that has its own severity, it takes
that record's severity, vector and score, and ``severity_source`` says where
they came from: ``alias CVE-2019-5786: CVSS:3.0 of NSWG-ECO-495 (npm-legacy)``.
Nothing is inferred transitively or invented. Among several donors the one
with a CVSS vector of the newest version wins, then the smallest id.

:func:`plan_fills` is the sans-I/O core; :func:`reset_fills` and
:func:`fill_severities` run it against a database being built (propagated
values are recomputed on every build, so they follow their donors).
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from hullguard.vulndb.cvss_score import score_vector, vector_label
from hullguard.vulndb.interface import Severity

#: ``severity_source`` prefix of a propagated severity
MARK = "alias "


@dataclass(frozen=True)
class SeverityRecord:
    """The severity columns of one advisory row."""

    id: str
    source: str
    aliases: tuple[str, ...]
    severity: Severity
    severity_source: str
    cvss_vector: str
    cvss_score: float | None

    @property
    def names(self) -> frozenset[str]:
        return frozenset((self.id, *self.aliases))


@dataclass(frozen=True)
class Fill:
    """New severity columns for one advisory."""

    id: str
    severity: Severity
    severity_source: str
    cvss_vector: str
    cvss_score: float | None


#: preferred donors: newest CVSS version first, then no vector (a vendor word)
_VECTOR_ORDER = {"CVSS:4.0": 0, "CVSS:3.1": 1, "CVSS:3.0": 2, "CVSS:2.0": 3}


def _rank(record: SeverityRecord) -> tuple[int, str]:
    return _VECTOR_ORDER.get(vector_label(record.cvss_vector), 9), record.id


def _own(record: SeverityRecord) -> bool:
    return record.severity is not Severity.UNKNOWN and not record.severity_source.startswith(MARK)


def score_fill(record: SeverityRecord) -> Fill | None:
    """A record with a vector but no severity: score the vector (``cvss`` library)."""
    if record.severity is not Severity.UNKNOWN or not record.cvss_vector:
        return None
    scored = score_vector(record.cvss_vector)
    if scored is None:
        return None
    label = vector_label(record.cvss_vector)
    return Fill(record.id, scored[1], f"{label} vector", record.cvss_vector, scored[0])


def plan_fills(records: Iterable[SeverityRecord]) -> list[Fill]:
    """Scored vectors and alias fills for every advisory that lacks a severity."""
    records = list(records)
    fills = [f for r in records if (f := score_fill(r)) is not None]
    scored = {f.id for f in fills}
    donors: dict[str, list[SeverityRecord]] = defaultdict(list)
    for record in records:
        if _own(record):
            for name in record.names:
                donors[name].append(record)
    for record in records:
        if record.severity is not Severity.UNKNOWN or record.cvss_vector or record.id in scored:
            continue
        offers = [
            (d, n) for n in sorted(record.names) for d in donors.get(n, ()) if d.id != record.id
        ]
        if not offers:
            continue
        donor, shared = min(offers, key=lambda dn: (_rank(dn[0]), dn[1]))
        how = donor.severity_source or "severity"
        source = f"{MARK}{shared}: {how} of {donor.id} ({donor.source})"
        fills.append(Fill(record.id, donor.severity, source, donor.cvss_vector, donor.cvss_score))
    return sorted(fills, key=lambda f: f.id)


def reset_fills(conn: sqlite3.Connection) -> None:
    """Undo propagated values (before re-importing: a donor may have changed or gone)."""
    conn.execute(
        "UPDATE advisories SET severity = 'UNKNOWN', severity_source = '', cvss_vector = '', "
        "cvss_score = NULL WHERE severity_source LIKE ?",
        (MARK + "%",),
    )


def fill_severities(conn: sqlite3.Connection) -> int:
    """Apply :func:`plan_fills` to the advisories table; returns how many were filled."""
    rows = conn.execute(
        "SELECT id, source, aliases, severity, severity_source, cvss_vector, cvss_score "
        "FROM advisories"
    )
    records = [
        SeverityRecord(r[0], r[1], tuple(json.loads(r[2])), Severity(r[3]), r[4], r[5], r[6])
        for r in rows
    ]
    fills = plan_fills(records)
    conn.executemany(
        "UPDATE advisories SET severity = ?, severity_source = ?, cvss_vector = ?, "
        "cvss_score = ? WHERE id = ?",
        [(f.severity.value, f.severity_source, f.cvss_vector, f.cvss_score, f.id) for f in fills],
    )
    return len(fills)
