"""Store: database URLs, schema version and migrations, transactions, idempotent adds."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from hullguard.errors import UsageError
from hullguard.inventory import InventoryError, open_inventory, resolve_database
from hullguard.inventory.dialect import DatabaseTarget, Engine
from hullguard.inventory.interface import DeploymentRecord
from hullguard.inventory.schema import SCHEMA_VERSION
from hullguard.model.package import Evidence, OSInfo, Package, PackageType, Purl


def _pkg(name: str, version: str, kind: PackageType = PackageType.PYTHON) -> Package:
    purl = Purl(f"pkg:pypi/{name}@{version}")
    return Package(name, version, kind, purl, evidence=(Evidence("/site", 1, "sha256:aa"),))


def test_resolve_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HULLGUARD_DATABASE_URL", raising=False)
    assert resolve_database(None, tmp_path).path == tmp_path / "inventory.db"
    assert resolve_database("sqlite:///x/inv.db").path == Path("/x/inv.db")
    assert resolve_database("rel.db").path == Path("rel.db")
    monkeypatch.setenv("HULLGUARD_DATABASE_URL", "sqlite:////abs/inv.db")
    assert resolve_database(None).path == Path("//abs/inv.db")
    pg = resolve_database("postgresql://u:pw@h:5433/db")
    assert (pg.engine, pg.location, pg.path) == (
        Engine.POSTGRESQL,
        "postgresql://u:pw@h:5433/db",
        None,
    )
    assert pg.label == "postgresql://u:***@h:5433/db"
    monkeypatch.setenv("HULLGUARD_DATABASE_URL", "postgres://h/db")
    assert resolve_database(None) == DatabaseTarget(Engine.POSTGRESQL, "postgresql://h/db")
    assert resolve_database("postgresql+psycopg://h/db").location == "postgresql://h/db"
    with pytest.raises(UsageError) as info:
        resolve_database("mysql://u:topsecret@h/db")
    assert "topsecret" not in str(info.value.diagnostics())


def test_schema_is_versioned_and_newer_schema_refused(tmp_path: Path) -> None:
    path = tmp_path / "inv.db"
    with open_inventory(path) as store:
        assert store.schema_version() == SCHEMA_VERSION
    with open_inventory(path) as store:  # re-open: no migration runs twice
        assert store.schema_version() == SCHEMA_VERSION
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(InventoryError, match="newer"):
        open_inventory(path)


def test_put_image_is_idempotent_and_replaces_packages(tmp_path: Path) -> None:
    with open_inventory(tmp_path / "inv.db") as store:
        os_info = OSInfo("debian", "12")
        with store.transaction():
            first, created = store.put_image("sha256:" + "a" * 64, "image", ["app:1"], os_info,
                                             [_pkg("requests", "2.19.1")], "t0")  # fmt: skip
        assert created
        with store.transaction():
            refs = ["app:1", "app:latest"]
            again, created = store.put_image("sha256:" + "a" * 64, "image", refs, os_info,
                                             [_pkg("requests", "2.31.0")], "t1")  # fmt: skip
        assert (again, created) == (first, False)
        rows = list(store.package_rows("image_id = ?", [first]))
        assert [(r[2], r[3]) for r in rows] == [("requests", "2.31.0")]
        [summary] = store.images()
        assert summary.refs == (
            "app:1",
            "app:latest",
            "docker.io/library/app:1",
            "docker.io/library/app:latest",
        )
        assert summary.os == "debian 12"


def test_failed_command_leaves_inventory_unchanged(tmp_path: Path) -> None:
    with open_inventory(tmp_path / "inv.db") as store:
        with pytest.raises(RuntimeError), store.transaction():
            store.put_image("sha256:" + "b" * 64, "image", ["x"], None, [_pkg("a", "1")], "t")
            raise RuntimeError("interrupted")
        assert store.images() == []


def test_deployment_links_when_image_arrives_later(tmp_path: Path) -> None:
    digest = "sha256:" + "c" * 64
    with open_inventory(tmp_path / "inv.db") as store:
        with store.transaction():
            store.put_deployment(DeploymentRecord("c", "ns", "web", image_ref="app:1"), None)
            store.put_deployment(
                DeploymentRecord("c", "ns", "api", image_ref=f"r/x@{digest}"), None
            )
        assert {d.name: dg for d, dg in store.deployments()} == {"web": "", "api": ""}
        with store.transaction():
            store.put_image(digest, "image", ["app:1"], None, [], "t")
        assert {d.name: dg for d, dg in store.deployments()} == {"web": digest, "api": digest}


def test_short_and_canonical_references_link(tmp_path: Path) -> None:
    digest = "sha256:" + "d" * 64
    with open_inventory(tmp_path / "inv.db") as store:
        with store.transaction():
            store.put_deployment(DeploymentRecord("c", "ns", "web", image_ref="nginx"), None)
            store.put_image(digest, "image", ["docker.io/library/nginx:latest"], None, [], "t")
        assert [dg for _, dg in store.deployments()] == [digest]
        assert store.find_image("nginx:latest").digest == digest


def test_who_has_query_uses_indexes(tmp_path: Path) -> None:
    """A full scan of the packages table would miss the latency target at fleet size."""
    from hullguard.inventory.fleet import who_has
    from hullguard.inventory.query import parse_query

    with open_inventory(tmp_path / "inv.db") as store:
        plans: list[str] = []
        original = store.package_rows

        def explained(where: str, params: list[object]) -> object:
            sql = f"EXPLAIN QUERY PLAN SELECT * FROM packages WHERE {where}"
            plans.extend(str(row[3]) for row in store.conn.execute(sql, params))
            return original(where, params)

        store.package_rows = explained  # type: ignore[assignment,method-assign]
        who_has(store, parse_query("openssl<3.0.7"))
        assert plans and not any(p.startswith("SCAN packages") for p in plans), plans
