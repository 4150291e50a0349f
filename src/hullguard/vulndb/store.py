"""Reading the vulnerability database: :func:`open_db` and :class:`VulnDB`.

:class:`VulnDB` answers the matcher's questions (entries per ``(namespace,
name)``, advisories by id, early end-of-support rows) from per-namespace
in-memory indexes loaded on first use, and reports its own age and sources.
Opened read-only; a missing or foreign file is a clear :class:`VulnDBError`.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hullguard.cache import default_cache_dir
from hullguard.vulndb.interface import (
    Advisory,
    AdvisoryBrief,
    AffectedEntry,
    EntryStatus,
    SupportEnded,
    VulnDBError,
)
from hullguard.vulndb.rows import BRIEF_COLUMNS, RowDecoder
from hullguard.vulndb.schema import SCHEMA_VERSION

_MISSING_HINT = "run `hullguard db update` (online) or `hullguard db import PATH...` (offline)"


def default_db_path() -> Path:
    """``<cache dir>/db/vuln.db``."""
    return default_cache_dir() / "db" / "vuln.db"


@dataclass(frozen=True)
class SourceInfo:
    """One row of ``db status``."""

    name: str
    kind: str
    url: str
    etag: str
    last_modified: str
    sha256: str
    imported_at: str
    records: int
    entries: int


_CHUNK = 500
_ENTRY_QUERY = (
    "SELECT name, advisory_id, source, status, fixed, affected, severity, bounds "
    "FROM affected WHERE namespace = ?"
)


_KEY = "(CASE a.span WHEN 'S' THEN w.skey ELSE w.ekey END)"
_LISTED = "(a.listed != '' AND instr(a.listed, w.line) > 0)"
#: best, active entries of the wanted keys that the stored plain bounds do not rule out;
#: the last column says the stored bounds decided (the entry affects the version)
_CANDIDATES = f"""
WITH want (i, namespace, name, line, ekey, skey) AS (VALUES {{values}})
SELECT w.i, a.name, a.advisory_id, a.source, a.status, a.fixed, a.affected, a.severity,
       a.bounds, a.span != '' AND ({_LISTED} OR a.span = 'V' OR {_KEY} IS NOT NULL)
FROM want AS w CROSS JOIN affected AS a ON a.namespace = w.namespace AND a.name = w.name
WHERE a.best AND a.status NOT IN ('{EntryStatus.NOT_AFFECTED}', '{EntryStatus.UNDETERMINED}')
  AND (a.span = '' OR {_LISTED} OR (a.span != 'V' AND ({_KEY} IS NULL
       OR ({_KEY} >= a.low AND (a.high IS NULL OR {_KEY} < a.high)))))
"""  # noqa: S608 (no input in the text: values are bound parameters)
#: wanted keys per candidates query (6 parameters each)
_WANT_CHUNK = 1000
#: one wanted key: namespace, name, the version between newlines, and its portable
#: keys for ECOSYSTEM and SEMVER ranges (None: the version does not parse, or no keys)
Wanted = tuple[str, str, str, str | None, str | None]


class VulnDB:
    """A read-only, lazily indexed view of one database file."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn
        self._entries: dict[str, dict[str, list[AffectedEntry]]] = {}
        self._by_key: dict[tuple[str, str], list[AffectedEntry]] = {}
        self._namespaces: dict[str, bool] = {}
        self._decode = RowDecoder()
        self._advisories: dict[str, Advisory | None] = {}
        self._briefs: dict[str, AdvisoryBrief | None] = {}
        self._support: dict[str, list[SupportEnded]] | None = None
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        self.schema_version = int(meta.get("schema_version", "0"))
        self.built_at = datetime.fromisoformat(meta["built_at"]) if "built_at" in meta else None
        #: compiled ranges, keyed by entry identity; reused across scans
        self.compiled: dict[tuple[str, ...], Any] = {}

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> VulnDB:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def age(self, now: datetime | None = None) -> timedelta:
        """How long ago the database was built."""
        if self.built_at is None:
            return timedelta.max
        return (now or datetime.now(UTC)) - self.built_at

    def sources(self) -> list[SourceInfo]:
        rows = self._conn.execute("SELECT * FROM sources ORDER BY name").fetchall()
        return [SourceInfo(*row) for row in rows]

    def counts(self) -> dict[str, int]:
        """Advisory and entry counts per source kind."""
        out: dict[str, int] = {}
        for table in ("advisories", "affected"):
            query = f"SELECT source, COUNT(*) FROM {table} GROUP BY source"  # noqa: S608
            for source, count in self._conn.execute(query):
                out[f"{table}:{source}"] = count
        return out

    def prefetch(self, keys: Iterable[tuple[str, str]]) -> None:
        """Load the entries of these ``(namespace, name)`` keys with indexed queries.

        One ``IN (...)`` query per namespace and 500 names (the primary key
        serves it), so a fresh process reads only the rows its packages need.
        """
        wanted: dict[str, set[str]] = defaultdict(set)
        for namespace, name in keys:
            if (namespace, name) not in self._by_key and namespace not in self._entries:
                wanted[namespace].add(name)
        by_key, decode = self._by_key, self._decode.entry  # hot loop: ~30,000 rows
        for namespace, names in sorted(wanted.items()):
            ordered = sorted(names)
            for start in range(0, len(ordered), _CHUNK):
                chunk = ordered[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = self._conn.execute(
                    f"{_ENTRY_QUERY} AND name IN ({marks})",
                    (namespace, *chunk),
                )
                for row in rows:
                    by_key.setdefault((namespace, row[0]), []).append(decode(namespace, row))
            for name in ordered:
                self._by_key.setdefault((namespace, name), [])

    def candidates(self, wanted: Sequence[Wanted]) -> list[tuple[int, AffectedEntry, bool]] | None:
        """Entries to consider for each wanted key, with the version check done in SQLite.

        Yields ``(index into wanted, entry, decided)`` for the best active entry
        of each advisory whose stored plain interval includes the version
        (``decided``) or that has no plain interval or no key to compare
        (the caller evaluates those). None when a wanted namespace was
        preloaded: the in-memory index answers then.
        """
        if any(w[0] in self._entries for w in wanted):
            return None
        out: list[tuple[int, AffectedEntry, bool]] = []
        decode = self._decode.entry
        for start in range(0, len(wanted), _WANT_CHUNK):
            chunk = wanted[start : start + _WANT_CHUNK]
            values = ",".join(["(?,?,?,?,?,?)"] * len(chunk))
            params = [v for n, w in enumerate(chunk, start) for v in (n, *w)]
            for row in self._conn.execute(_CANDIDATES.format(values=values), params):
                i = row[0]
                out.append((i, decode(wanted[i][0], row[1:9]), bool(row[9])))
        return out

    def has_namespace(self, namespace: str) -> bool:
        """Whether any entry of ``namespace`` exists (one indexed probe)."""
        found = self._namespaces.get(namespace)
        if found is None:
            query = "SELECT 1 FROM affected WHERE namespace = ? LIMIT 1"
            found = self._conn.execute(query, (namespace,)).fetchone() is not None
            self._namespaces[namespace] = found
        return found

    def namespace_entries(self, namespace: str) -> dict[str, list[AffectedEntry]]:
        """Every entry of a namespace, by normalised name (loaded once)."""
        cached = self._entries.get(namespace)
        if cached is not None:
            return cached
        index: dict[str, list[AffectedEntry]] = defaultdict(list)
        for row in self._conn.execute(_ENTRY_QUERY, (namespace,)):
            index[row[0]].append(self._decode.entry(namespace, row))
        self._entries[namespace] = dict(index)
        for name, group in index.items():
            self._by_key[(namespace, name)] = group
        return self._entries[namespace]

    def preload(self, namespaces: Iterable[str], compile_with: Any = None) -> None:
        """Load these namespaces' indexes and advisories now (a service does this once).

        A one-shot scan does not need it (:meth:`prefetch` reads only what its
        packages need); a long-running process that rescans many images does.
        ``compile_with(db, entry)`` (the matcher's compiler) pre-compiles every entry.
        """
        for namespace in namespaces:
            index = self.namespace_entries(namespace)
            entries = [e for group in index.values() for e in group]
            self.briefs(e.advisory_id for e in entries)
            if compile_with is not None:
                for entry in entries:
                    compile_with(self, entry)

    def entries(self, namespace: str, name: str) -> list[AffectedEntry]:
        """Entries of one key (from the preloaded namespace or one indexed query)."""
        found = self._by_key.get((namespace, name))
        if found is None:
            if namespace in self._entries:
                return []
            self.prefetch([(namespace, name)])
            found = self._by_key[(namespace, name)]
        return found

    def advisories(self, ids: Iterable[str]) -> dict[str, Advisory]:
        """Advisories by id (missing ids are absent from the result)."""
        ids = list(ids)
        wanted = sorted({i for i in ids if i not in self._advisories})
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._conn.execute(
                f"SELECT * FROM advisories WHERE id IN ({marks})",  # noqa: S608
                chunk,
            ).fetchall()
            found = {row[0]: self._decode.advisory(row) for row in rows}
            for vid in chunk:
                self._advisories[vid] = found.get(vid)
        return {i: a for i in ids if (a := self._advisories.get(i)) is not None}

    def briefs(self, ids: Iterable[str]) -> dict[str, AdvisoryBrief]:
        """What findings show of these advisories (missing ids are absent).

        The matcher's batched read: 8 short columns, not the whole record.
        """
        ids = list(ids)
        cache, decode = self._briefs, self._decode.brief
        wanted = sorted({i for i in ids if i not in cache})
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT {BRIEF_COLUMNS} FROM advisories WHERE id IN ({marks})"  # noqa: S608
            found = {row[0]: decode(row) for row in self._conn.execute(query, chunk)}
            for vid in chunk:
                cache[vid] = found.get(vid)
        return {i: b for i in ids if (b := cache.get(i)) is not None}

    def support_ended(self, namespace: str) -> list[SupportEnded]:
        if self._support is None:
            self._support = defaultdict(list)
            for row in self._conn.execute(
                "SELECT namespace, name_pattern, last_version, end_date, details "
                "FROM support_ended ORDER BY namespace, name_pattern"
            ):
                self._support[row[0]].append(SupportEnded(*row))
        return self._support.get(namespace, [])


def open_db(path: Path | None = None) -> VulnDB:
    """Open the database read-only; a clear error when there is none."""
    path = path or default_db_path()
    if not path.is_file():
        raise VulnDBError(f"no vulnerability database at {path}", hint=_MISSING_HINT)
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        db = VulnDB(path, conn)
    except (sqlite3.Error, ValueError, KeyError) as exc:
        raise VulnDBError(
            f"{path} is not a hullguard vulnerability database ({exc})", hint=_MISSING_HINT
        ) from exc
    if db.schema_version != SCHEMA_VERSION:
        db.close()
        raise VulnDBError(
            f"{path} has database schema {db.schema_version}, this hullguard reads "
            f"{SCHEMA_VERSION}: rebuild the database",
            hint="run `hullguard db update` (online) or `hullguard db import PATH...` "
            "(offline) to rebuild it"
            + ("" if db.schema_version < SCHEMA_VERSION else ", or upgrade hullguard"),
        )
    return db
