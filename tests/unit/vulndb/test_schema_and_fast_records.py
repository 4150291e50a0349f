"""Schema 2 (stored bounds): old databases, fast record construction, the GC pause."""

from __future__ import annotations

import dataclasses
import gc
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hullguard.match.gcpause import gc_paused
from hullguard.model.frozen import from_fields
from hullguard.vulndb import SourceInput, VulnDBError, build_database, open_db
from hullguard.vulndb.interface import AffectedEntry, EntryStatus, Severity, SourceKind, VulnId
from hullguard.vulndb.schema import SCHEMA_VERSION

SECDB = b"""{"distroversion": "v3.19", "reponame": "main", "urlprefix": "x", "apkurl": "x",
"packages": [{"pkg": {"name": "zlib", "secfixes": {"1.2.12-r0": ["CVE-2018-25032"]}}}]}"""


def _schema_1_db(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    conn.execute("INSERT INTO meta VALUES ('schema_version', '1'), ('built_at', '2026-01-01')")
    conn.commit()
    conn.close()


def test_opening_an_older_database_says_to_rebuild_it(tmp_path: Path) -> None:
    path = tmp_path / "vuln.db"
    _schema_1_db(path)
    with pytest.raises(VulnDBError) as caught:
        open_db(path)
    text = f"{caught.value} {caught.value.hint}"
    assert "schema 1" in text and "rebuild" in text and "hullguard db update" in text


def test_importing_over_an_older_database_builds_a_new_one(tmp_path: Path) -> None:
    path = tmp_path / "vuln.db"
    _schema_1_db(path)
    source = tmp_path / "main.json"
    source.write_bytes(SECDB)
    notes: list[str] = []
    build_database(path, [SourceInput("secdb", source)], now=datetime.now(UTC), notify=notes.append)
    with open_db(path) as db:
        assert db.schema_version == SCHEMA_VERSION == 3
        [entry] = db.entries("alpine:3.19", "zlib")
        assert entry.bounds.startswith("[1,") and entry.fixed == ("1.2.12-r0",)
    assert any("older database schema 1" in n for n in notes)


def test_from_fields_equals_the_constructor() -> None:
    normal = AffectedEntry(VulnId("CVE-1"), "debian:12", "zlib", SourceKind.OSV,
                           EntryStatus.AFFECTED, {"a": 1}, ("1.0",), Severity.HIGH,
                           range_key="k", bounds="b", fixed_sorted=True)  # fmt: skip
    fast = from_fields(AffectedEntry, dataclasses.asdict(normal))
    assert fast == normal and hash(fast) == hash(normal) and repr(fast) == repr(normal)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.name = "x"  # type: ignore[misc]


def test_gc_pause_restores_the_collector_state() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.parametrize(
    "value",
    [[], ["1.2-1"], ["a", "b"], ['x"y'], ["ü"], ["a\\b"], [""], ['["'], ["a, b"], ["1", "2"]],
)
def test_list_columns_decode_like_json(value: list[str]) -> None:
    from hullguard.vulndb.rows import RowDecoder

    for text in (json.dumps(value), json.dumps(value, ensure_ascii=False, separators=(",", ":"))):
        assert RowDecoder()._list(text) == tuple(value), text
