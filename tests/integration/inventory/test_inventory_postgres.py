"""PostgreSQL-specific behaviour on a real server (tools/pgserver.py): migrations from an
empty database, portable migration steps, concurrent writers, connection errors."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest

import hullguard
from hullguard.inventory import InventoryError, open_inventory
from hullguard.inventory import store as store_module
from hullguard.inventory.schema import MIGRATIONS, SCHEMA_VERSION

SRC = Path(hullguard.__file__).resolve().parents[1]


def _scalar(url: str, sql: str) -> Any:
    with psycopg.connect(url) as conn:
        row = conn.execute(sql).fetchone()  # type: ignore[arg-type]
        return row[0] if row else None


def test_migrations_from_empty_database(pg_server: Any) -> None:
    url = pg_server.create_database("migrate_empty")
    with open_inventory(url) as store:
        assert store.schema_version() == SCHEMA_VERSION
    tables = _scalar(
        url,
        "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables "
        "WHERE table_schema = 'public'",
    )
    v1 = {"meta", "images", "image_refs", "packages", "deployments", "findings", "rescans",
          "rescan_changes"}  # fmt: skip
    steps = {"image_secrets", "image_analyses", "image_layers"}  # V2 and V3
    assert v1 | steps <= set(tables.split(","))
    identity = _scalar(
        url,
        "SELECT is_identity || data_type FROM information_schema.columns "
        "WHERE table_name = 'images' AND column_name = 'id'",
    )
    assert identity == "YESbigint"
    partial = _scalar(url, "SELECT indexdef FROM pg_indexes WHERE indexname = 'packages_source'")
    assert "WHERE (source_name <> ''::text)" in partial
    with open_inventory(url) as store:  # re-open: nothing runs twice
        assert store.schema_version() == SCHEMA_VERSION
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    with pytest.raises(InventoryError, match="newer than this hullguard"):
        open_inventory(url)


_ADMISSION_LIKE = """
CREATE TABLE decisions (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    image_id INTEGER REFERENCES images(id) ON DELETE SET NULL,
    allowed INTEGER NOT NULL
);
CREATE INDEX decisions_at ON decisions (at);
"""


def test_portable_step_appended_later_runs_on_both_engines(
    inventory_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A later step in plain SQL (as other features append) migrates an existing inventory."""
    with open_inventory(inventory_db) as store:
        assert store.schema_version() == SCHEMA_VERSION
    monkeypatch.setattr(store_module, "MIGRATIONS", (*MIGRATIONS, _ADMISSION_LIKE))
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with open_inventory(inventory_db) as store:
        assert store.schema_version() == SCHEMA_VERSION + 1
        with store.transaction():
            ids = [
                store.conn.execute(
                    "INSERT INTO decisions (at, image_id, allowed) VALUES (?, NULL, ?) "
                    "RETURNING id",
                    (f"t{n}", n % 2),
                ).fetchone()[0]
                for n in range(3)
            ]
        assert ids == [1, 2, 3]
        rows = store.conn.execute("SELECT at, allowed FROM decisions ORDER BY id").fetchall()
        assert [tuple(r) for r in rows] == [("t0", 0), ("t1", 1), ("t2", 0)]


_WRITER = """
import sys, time
from hullguard.inventory import DeploymentRecord, open_inventory
from hullguard.inventory.interface import StoredFinding
from hullguard.model.package import Evidence, OSInfo, Package, PackageType, Purl

url, start, order = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
time.sleep(max(0.0, start - time.time()))
digests = list(enumerate(f"sha256:{n:064x}" for n in range(12)))
if order:
    digests.reverse()
with open_inventory(url) as store:  # the database starts empty: openers race to migrate
    for rounds in range(2):
        for n, digest in digests:
            pkgs = [Package(f"p{i}", f"1.{i}", PackageType.PYTHON, Purl(f"pkg:pypi/p{i}@1.{i}"),
                            evidence=(Evidence("/site", 1, "sha256:aa"),)) for i in range(40)]
            found = [StoredFinding(f"CVE-2000-{i}", f"p{i}", f"1.{i}", f"pkg:pypi/p{i}@1.{i}")
                     for i in range(5)]
            with store.transaction():  # what `inventory add --deployment` does, in one go
                image_id, _ = store.put_image(digest, "image", [f"app:{n}", "app:latest"],
                                              OSInfo("debian", "12"), pkgs, "t")
                store.set_findings(image_id, found)
                store.put_deployment(DeploymentRecord("c", "ns", f"web{n}", image_ref=f"app:{n}"),
                                     image_id)
print("ok")
"""


def test_concurrent_adds_of_the_same_digests_stay_idempotent(pg_server: Any) -> None:
    url = pg_server.create_database("concurrent_add")
    start = time.time() + 2.0
    env = {"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, url, str(start), str(n % 2)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for n in range(4)
    ]
    results = [p.communicate(timeout=120) for p in procs]
    for proc, (out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0 and out.strip() == "ok", err
    assert _scalar(url, "SELECT COUNT(*) FROM images") == 12
    assert _scalar(url, "SELECT COUNT(DISTINCT digest) FROM images") == 12
    assert _scalar(url, "SELECT COUNT(*) FROM packages") == 12 * 40
    assert _scalar(url, "SELECT COUNT(*) FROM image_refs") == 12 * 4  # app:N, app:latest, canon.
    assert _scalar(url, "SELECT COUNT(*) FROM findings") == 12 * 5
    assert _scalar(url, "SELECT COUNT(*) FROM deployments WHERE image_id IS NOT NULL") == 12
    assert _scalar(url, "SELECT value FROM meta WHERE key = 'schema_version'") == str(
        SCHEMA_VERSION
    )


def test_who_has_query_can_use_indexes(pg_server: Any) -> None:
    """With sequential scans disabled, the who-has plan must reach packages by index."""
    from hullguard.inventory.fleet import who_has
    from hullguard.inventory.query import parse_query

    url = pg_server.create_database("plans")
    with open_inventory(url) as store:
        store.conn.execute("SET enable_seqscan = off")
        plans: list[str] = []
        original = store.package_rows

        def explained(where: str, params: list[object]) -> object:
            sql = f"EXPLAIN SELECT * FROM packages WHERE {where}"
            plans.extend(str(row[0]) for row in store.conn.execute(sql, params))
            return original(where, params)

        store.package_rows = explained  # type: ignore[assignment,method-assign]
        who_has(store, parse_query("openssl<3.0.7"))
    assert plans and not any("Seq Scan on packages" in p for p in plans), plans


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("url", "message", "hint"),
    [
        ("postgresql://postgres:pw-1234-fake@127.0.0.1:{closed}/inv", "Connection refused",
         "check the host and port"),
        ("postgresql://nobody:pw-1234-fake@127.0.0.1:{port}/hullguard", 'role "nobody"',
         "check the user name"),
        ("postgresql://postgres:pw-1234-fake@127.0.0.1:{port}/no_such_db", "does not exist",
         "createdb"),
        ("postgresql://postgres:pw-1234-fake@127.0.0.1:notaport/x", "invalid integer value",
         "fix the URL"),
        ("postgresql://postgres:pw-1234-fake@[127.0.0.1/x", "IPv6", "fix the URL"),
    ],
)  # fmt: skip
def test_connection_errors_are_one_line_without_password(
    run: Any, pg_server: Any, url: str, message: str, hint: str
) -> None:
    database = url.format(closed=_closed_port(), port=pg_server.port)
    res = run("inventory", "images", "--database", database)
    assert res.code == 3, res.err
    assert "cannot connect to inventory postgresql://postgres:***@" in res.err or (
        "nobody:***@" in res.err
    )
    assert message in res.err and hint in res.err
    assert len(res.err.strip().splitlines()) == 1 and "Traceback" not in res.err
    assert "pw-1234-fake" not in res.err + res.out


def test_cli_end_to_end_through_environment_url(
    run: Any, pg_server: Any, alpine_sbom: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = pg_server.create_database("cli_env")
    monkeypatch.setenv("HULLGUARD_DATABASE_URL", url)
    res = run("inventory", "add", f"sbom:{alpine_sbom}", "--db", "/nonexistent/vuln.db",
              "-f", "json")  # fmt: skip
    assert res.code == 0, res.err
    digest = json.loads(res.out)["image"]
    hits = json.loads(run("inventory", "who-has", "apk:busybox", "-f", "json").out)["matches"]
    assert {h["image"] for h in hits} == {digest}
    assert _scalar(url, "SELECT digest FROM images") == digest
    images = json.loads(run("inventory", "images", "-f", "json").out)["images"]
    assert [i["digest"] for i in images] == [digest]


def test_wrong_password_is_one_line_without_password(run: Any, pg_server: Any) -> None:
    """Password authentication for one role (the rest of the test cluster trusts loopback)."""
    with psycopg.connect(pg_server.url, autocommit=True) as conn:
        conn.execute("CREATE ROLE hg_pw LOGIN PASSWORD 'right-test-password'")
        conn.execute("CREATE DATABASE hg_pw_db OWNER hg_pw")
        hba = pg_server.base / "data" / "pg_hba.conf"
        hba.write_text("host all hg_pw 127.0.0.1/32 scram-sha-256\n" + hba.read_text())
        conn.execute("SELECT pg_reload_conf()")
    time.sleep(0.5)  # the postmaster re-reads pg_hba.conf asynchronously
    base = f"127.0.0.1:{pg_server.port}/hg_pw_db"
    res = run("inventory", "images", "--database", f"postgresql://hg_pw:wrong-test-pw@{base}")
    assert res.code == 3, res.err
    assert "password authentication failed" in res.err and "check the user and password" in res.err
    assert len(res.err.strip().splitlines()) == 1 and "wrong-test-pw" not in res.err
    good = run(
        "inventory", "images", "--database", f"postgresql://hg_pw:right-test-password@{base}"
    )
    assert good.code == 0, good.err  # the owner creates the inventory tables on first use
