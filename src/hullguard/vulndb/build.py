"""Building the database atomically from importer output.

:func:`build_database` copies the current database (when there is one) to a
temporary file beside it, replaces the rows of each named input (``origin``)
with freshly imported ones, records the source metadata, and ``os.replace``-s
the temporary file over the database. Any failure (schema drift, corrupt
archive, empty source) deletes the temporary file: the old database is never
touched.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from hullguard.versions import VersionScheme
from hullguard.versions.osv_bounds import encode_bounds, interval
from hullguard.versions.registry import sort_versions
from hullguard.vulndb import schema
from hullguard.vulndb.importers import detect, iter_files
from hullguard.vulndb.interface import (
    SOURCE_PRIORITY,
    ImportBatch,
    SourceKind,
    VulnDBError,
    advisory_title,
)
from hullguard.vulndb.namespaces import scheme_for_namespace
from hullguard.vulndb.severity_fill import fill_severities, reset_fills


@dataclass(frozen=True)
class SourceInput:
    """One named input: a local path (file, directory or zip) and where it came from."""

    name: str
    path: Path
    url: str = ""
    etag: str = ""
    last_modified: str = ""
    sha256: str = ""


@dataclass(frozen=True)
class SourceResult:
    name: str
    kinds: tuple[SourceKind, ...]
    records: int
    entries: int
    skipped_files: int


Notify = Callable[[str], None]


def _advisory_rows(origin: str, batch: ImportBatch) -> list[tuple[object, ...]]:
    return [
        (
            a.id,
            origin,
            a.source.value,
            json.dumps(list(a.aliases)),
            a.summary,
            a.details,
            a.severity.value,
            a.severity_source,
            a.cvss_vector,
            a.cvss_score,
            a.published,
            a.modified,
            a.withdrawn,
            json.dumps(list(a.references)),
        )
        for a in batch.advisories
    ]


class _Precompiler:
    """Bounds and sorted fixed lists of entries, computed once per distinct input."""

    def __init__(self) -> None:
        self._bounds: dict[tuple[str, VersionScheme], str] = {}
        self._spans: dict[str, tuple[str, str, str, str | None]] = {}
        self._fixed: dict[tuple[tuple[str, ...], VersionScheme], str] = {}

    def bounds(self, affected_text: str, affected: Mapping[str, Any], scheme: VersionScheme) -> str:
        found = self._bounds.get((affected_text, scheme))
        if found is None:
            found = self._bounds[(affected_text, scheme)] = encode_bounds(affected, scheme)
        return found

    def span(self, bounds: str) -> tuple[str, str, str, str | None]:
        """``(span, listed, low, high)`` columns of stored bounds (``span`` ``''``: not plain)."""
        found = self._spans.get(bounds)
        if found is None:
            found = self._spans[bounds] = interval(bounds) or ("", "", "", None)
        return found

    def fixed(self, fixed: tuple[str, ...], scheme: VersionScheme) -> str:
        found = self._fixed.get((fixed, scheme))
        if found is None:
            found = self._fixed[(fixed, scheme)] = json.dumps(list(sort_versions(fixed, scheme)))
        return found


def _entry_rows(origin: str, batch: ImportBatch, pre: _Precompiler) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for e in batch.entries:
        scheme = scheme_for_namespace(e.namespace)
        affected = json.dumps(e.affected, separators=(",", ":"))
        bounds = pre.bounds(affected, e.affected, scheme)
        rows.append(
            (
                e.namespace,
                e.name,
                e.advisory_id,
                e.source.value,
                origin,
                e.status.value,
                pre.fixed(e.fixed, scheme),
                affected,
                e.severity.value,
                bounds,
                *pre.span(bounds),
            )
        )
    return rows


def _import_source(conn: sqlite3.Connection, source: SourceInput, now: str) -> SourceResult:
    pre = _Precompiler()
    for table in ("affected", "advisories", "support_ended"):
        conn.execute(f"DELETE FROM {table} WHERE origin = ?", (source.name,))  # noqa: S608
    records = entries = skipped = 0
    kinds: set[SourceKind] = set()
    for name, data in iter_files(source.path):
        importer = detect(name, data[:4096])
        if importer is None:
            skipped += 1
            continue
        for batch in importer.parse(name, data):
            kinds.add(batch.source)
            conn.executemany(schema.UPSERT_ADVISORY, _advisory_rows(source.name, batch))
            conn.executemany(schema.INSERT_ENTRY, _entry_rows(source.name, batch, pre))
            conn.executemany(
                schema.INSERT_SUPPORT,
                [
                    (
                        s.namespace,
                        s.name_pattern,
                        source.name,
                        s.last_version,
                        s.end_date,
                        s.details,
                    )
                    for s in batch.support_ended
                ],
            )
            records += batch.record_count
            entries += len(batch.entries)
    if records == 0:
        raise VulnDBError(
            f"source {source.name} ({source.path}) holds no advisory records",
            hint="check the path or URL; the database was left unchanged",
        )
    kind = ",".join(sorted(k.value for k in kinds))
    conn.execute(
        schema.INSERT_SOURCE,
        (
            source.name,
            kind,
            source.url or str(source.path),
            source.etag,
            source.last_modified,
            source.sha256,
            now,
            records,
            entries,
        ),
    )
    return SourceResult(source.name, tuple(sorted(kinds)), records, entries, skipped)


def _connect(tmp: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(tmp)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.executescript(schema.DDL)
    return conn


def _prepare(tmp: Path, existing: Path, notify: Notify | None) -> sqlite3.Connection:
    """A copy of ``existing`` to import into; a fresh file when its schema is older."""
    if existing.exists():
        shutil.copyfile(existing, tmp)
    conn = _connect(tmp)
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row is not None and int(row[0]) > schema.SCHEMA_VERSION:
        conn.close()
        raise VulnDBError(
            f"database {existing} has schema {row[0]}, this hullguard writes "
            f"{schema.SCHEMA_VERSION}",
            hint="upgrade hullguard, or delete the database and run hullguard db update",
        )
    if row is not None and int(row[0]) < schema.SCHEMA_VERSION:
        # an older layout lacks the pre-compiled columns: rebuild from these sources only
        conn.close()
        tmp.unlink()
        if notify:
            notify(f"{existing} has the older database schema {row[0]}: building a new one")
        conn = _connect(tmp)
    return conn


def build_database(
    db_path: Path,
    sources: Sequence[SourceInput],
    *,
    now: datetime,
    notify: Notify | None = None,
) -> list[SourceResult]:
    """Import ``sources`` into ``db_path`` atomically (other sources are kept)."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = db_path.with_name(f".{db_path.name}.{os.getpid()}.tmp")
    stamp = now.isoformat(timespec="seconds")
    try:
        conn = _prepare(tmp, db_path, notify)
        try:
            results = []
            reset_fills(conn)  # recomputed below from whatever the sources now say
            for source in sources:
                if notify:
                    notify(f"importing {source.name} from {source.path}")
                results.append(_import_source(conn, source, stamp))
            conn.execute(schema.mark_best_sql({k.value: v for k, v in SOURCE_PRIORITY.items()}))
            filled = fill_severities(conn)
            conn.create_function("hg_title", 2, advisory_title, deterministic=True)
            conn.execute(schema.SET_TITLES)
            if notify:
                notify(f"severity filled from aliases or vectors for {filled} advisories")
            conn.executemany(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                [("schema_version", str(schema.SCHEMA_VERSION)), ("built_at", stamp)],
            )
            conn.commit()
        finally:
            conn.close()
        os.replace(tmp, db_path)
    except sqlite3.Error as exc:
        raise VulnDBError(f"could not write the database {db_path}: {exc}") from exc
    except OSError as exc:
        raise VulnDBError(f"could not write the database {db_path}: {exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return results
