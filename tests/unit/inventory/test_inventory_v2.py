"""Schema V2: a V1 inventory migrates (with the vulnerability backfill), secrets round-trip
without values, and analysis markers tell "clean" from "never scanned"."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from hullguard.inventory import open_inventory
from hullguard.inventory.interface import Analysis, StoredFinding, StoredSecret
from hullguard.inventory.schema import MIGRATIONS, SCHEMA_VERSION

NOW = "2026-11-28T10:00:00+00:00"
SECRET = StoredSecret("github-pat", "vcs-token", "CRITICAL", "app/config.ini", 2, 1, "layer",
                      "deleted", "ab" * 32, "GitHub token")  # fmt: skip


def _v1(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0])
    conn.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    for i, digest in enumerate(("sha256:" + "1" * 64, "sha256:" + "2" * 64), 1):
        conn.execute(
            "INSERT INTO images VALUES (?, ?, 'image', '', ?, ?, 0)", (i, digest, NOW, NOW)
        )
    conn.execute("INSERT INTO findings VALUES (1, 'CVE-1', '[]', 'p', '1', 'pkg:pypi/p@1', "
                 "'[]', 'HIGH')")  # fmt: skip
    conn.commit()
    conn.close()


def test_v1_inventory_migrates_and_backfills(tmp_path: Path) -> None:
    path = tmp_path / "inv.db"
    _v1(path)
    with open_inventory(path) as store:
        assert store.schema_version() == SCHEMA_VERSION  # every later step applies too
        assert set(store.analyses_for(1)) == {Analysis.VULNERABILITIES}  # had findings
        assert store.analyses_for(2) == {}  # no findings, no rescan: unknown
        assert store.secrets_for(1) == []


def test_secrets_and_markers_round_trip(tmp_path: Path) -> None:
    with open_inventory(tmp_path / "inv.db") as store:
        with store.transaction():
            image_id, _ = store.put_image("sha256:" + "3" * 64, "image", ["r:1"], None, [], NOW)
            store.set_secrets(image_id, [SECRET, SECRET])  # duplicates collapse
            store.set_findings(image_id, [StoredFinding("CVE-2", "p", "1", "pkg:pypi/p@1")])
            store.mark_analysed(image_id, Analysis.SECRETS, NOW)
            store.mark_analysed(image_id, Analysis.SECRETS, "later")
        assert store.secrets_for(image_id) == [SECRET]
        assert store.analyses_for(image_id) == {Analysis.SECRETS: "later"}
        with store.transaction():
            store.set_secrets(image_id, [])
        assert store.secrets_for(image_id) == []
