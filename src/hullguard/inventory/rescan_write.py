"""The write half of ``inventory rescan``: one transaction, bulk statements only.

Changed images' findings are replaced with one ``DELETE ... IN`` per id chunk and
one bulk load (``COPY`` on PostgreSQL, one ``executemany`` on SQLite) for all of
them; analysis markers and ``rescan_changes`` are bulk-written too. Concurrent
``inventory add`` writers of findings are kept out for the transaction by
:meth:`~hullguard.inventory.backend.Connection.lock_table` (one table lock instead
of one advisory lock per image, which PostgreSQL's lock table could not hold for
ten thousand images). JSON columns, and on PostgreSQL the COPY text of a finding's
columns, are encoded once per distinct finding.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from hullguard.inventory.backend import SharedRow
from hullguard.inventory.interface import Analysis, StoredFinding
from hullguard.inventory.rescan_diff import Diff
from hullguard.inventory.store import InventoryStore

#: a findings load at least this big, and bigger than the table, goes in without its
#: secondary indexes, re-created after (one sort instead of millions of random inserts)
REINDEX_ROWS = 100_000


class _Tails:
    """The shared tails of a finding's rows (``findings`` and ``rescan_changes``), built
    once per finding object (JSON encoded once), so bulk loads encode each once too."""

    def __init__(self) -> None:
        self.cache: dict[int, tuple[StoredFinding, tuple[Any, ...], tuple[Any, ...]]] = {}

    def __call__(self, f: StoredFinding) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
        got = self.cache.get(id(f))  # the finding is kept in the entry: ids stay unique
        if got is None:
            fixed = json.dumps(f.fixed)
            stored = (f.vuln_id, json.dumps(f.aliases), f.package, f.version, f.purl, fixed,
                      f.severity)  # fmt: skip
            got = self.cache[id(f)] = (f, stored, (f.vuln_id, f.package, f.version, fixed,
                                                   f.severity))  # fmt: skip
        return got[1], got[2]


def write_rescan(store: InventoryStore, diff: Diff, now: str, built: str) -> int:
    """Store the rescan's result; returns the new rescan id."""
    encode = _Tails()
    conn = store.conn
    with conn.bulk(), store.transaction():
        conn.lock_table("findings")
        changed = sorted(diff.current)
        indexes = _indexes_to_rebuild(store, sum(len(v) for v in diff.current.values()))
        for name, _ in indexes:
            conn.execute(f"DROP INDEX {name}")
        for members, params in conn.dialect.in_lists(changed):
            conn.execute(f"DELETE FROM findings WHERE image_id IN ({members})", params)  # noqa: S608
        conn.copy_shared("findings", 8, _finding_rows(diff, changed, encode))
        for _, definition in indexes:
            conn.execute(definition)
        conn.executemany(
            "INSERT INTO image_analyses VALUES (?,?,?,?) ON CONFLICT (image_id, analysis) "
            "DO UPDATE SET at = excluded.at, detail = excluded.detail",
            ((i, Analysis.VULNERABILITIES, now, built) for i in diff.image_ids),
        )
        rescan_id = int(
            conn.execute(
                "INSERT INTO rescans (at, db_built_at, images, findings) VALUES (?,?,?,?) "
                "RETURNING id",
                (now, built, len(diff.image_ids), diff.total),
            ).fetchone()[0]
        )
        conn.copy_shared("rescan_changes", 8, _change_rows(rescan_id, diff, encode))
    return rescan_id


def _indexes_to_rebuild(store: InventoryStore, rows: int) -> list[tuple[str, str]]:
    """The findings indexes to drop for a load of ``rows`` (a first fill), else none.

    Their definitions come from the database's catalog, so a later migration that
    changes them is honoured. On PostgreSQL the drop makes readers of ``findings``
    wait for the commit; it only happens when the table is mostly empty."""
    if rows < REINDEX_ROWS:
        return []
    held = int(store.conn.execute("SELECT COUNT(*) FROM findings").fetchone()[0])
    if rows <= held:
        return []
    found = store.conn.execute(store.conn.dialect.index_definitions, ("findings",))
    return [(str(name), str(sql)) for name, sql in found.fetchall()]


def _finding_rows(diff: Diff, changed: list[int], encode: _Tails) -> Iterator[SharedRow]:
    for image_id in changed:
        head = (image_id,)
        for f in diff.current[image_id]:
            yield head, encode(f)[0]


def _change_rows(rescan_id: int, diff: Diff, encode: _Tails) -> Iterator[SharedRow]:
    for kind, items in (("new", diff.new), ("resolved", diff.resolved)):
        for image_id in sorted(items):
            head = (rescan_id, kind, image_id)
            for f in items[image_id]:
                yield head, encode(f)[1]
