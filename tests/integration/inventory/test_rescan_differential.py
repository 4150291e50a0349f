"""Differential: the bulk, streamed rescan against the original per-image rescan.

The reference below is the rescan as it was before the scale work (match all
package rows at once, replace each changed image's findings with ``set_findings``,
hold every finding). Both run on identical inventories of a fleet generated from
real SBOMs (the Syft alpine SBOM and the micronaut SBOM) with real PyPI releases
from the OSV records, some images stored without findings, some with stale ones;
then again after a new source is imported. Reports, stored findings, analysis
markers and rescan_changes must be identical, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from hullguard.catalog.sbom_input import read_sbom
from hullguard.inventory import InventoryStore, open_inventory, rescan_write
from hullguard.inventory.affected import findings_of, match_rows
from hullguard.inventory.interface import Analysis, StoredFinding
from hullguard.inventory.rescan import Change, RescanReport, rescan
from hullguard.model.package import Package, PackageType, Purl
from hullguard.vulndb import VulnDB, open_db

_VERSIONS = re.compile(r"^  versions:\n((?:  - .+\n)+)", re.M)
PYPI_NAMES = ("requests", "django", "jinja2", "pyyaml", "urllib3", "flask", "pillow",
              "aiohttp", "cryptography", "werkzeug", "lxml", "numpy")  # fmt: skip


def reference_rescan(store: InventoryStore, db: VulnDB, now: str) -> RescanReport:
    """The pre-scale rescan, kept verbatim in behaviour as the oracle."""
    image_ids = sorted(store.digests_for_all())
    current = match_rows(store, store.package_rows("1 = 1", []), db)
    previous = store.finding_keys()
    new: list[tuple[int, StoredFinding]] = []
    resolved: list[tuple[int, StoredFinding]] = []
    for image_id in image_ids:
        before = previous.get(image_id, set())
        after: dict[tuple[str, str, str, str], StoredFinding] = {}
        for f in sorted(current.get(image_id, set()), reverse=True):
            after[f.key] = f  # the smallest per key, as set_findings keeps
        new += [(image_id, after[k]) for k in after.keys() - before]
        gone = before - after.keys()
        resolved += [(image_id, f) for f in store.findings_for(image_id) if f.key in gone]
    built = db.built_at.isoformat() if db.built_at else ""
    total = sum(len(v) for v in current.values())
    with store.transaction():
        for image_id in sorted({i for i, _ in new} | {i for i, _ in resolved}):
            store.set_findings(image_id, current.get(image_id, set()))
        for image_id in image_ids:
            store.mark_analysed(image_id, Analysis.VULNERABILITIES, now, built)
        rescan_id = int(
            store.conn.execute(
                "INSERT INTO rescans (at, db_built_at, images, findings) VALUES (?,?,?,?) "
                "RETURNING id",
                (now, built, len(image_ids), total),
            ).fetchone()[0]
        )
        store.conn.executemany(
            "INSERT INTO rescan_changes VALUES (?,?,?,?,?,?,?,?)",
            [(rescan_id, kind, i, f.vuln_id, f.package, f.version, json.dumps(f.fixed),
              f.severity) for kind, items in (("new", new), ("resolved", resolved))
             for i, f in items],
        )  # fmt: skip

    def changes(items: list[tuple[int, StoredFinding]]) -> tuple[Change, ...]:
        ids = {i for i, _ in items}
        digests, refs = store.digests_for(ids), store.refs_for(ids)
        deployments = store.deployments_for(ids)
        return tuple(sorted(Change(f, digests[i], refs.get(i, ()),
                                   tuple(deployments.get(i, []))) for i, f in items))  # fmt: skip

    return RescanReport(rescan_id, now, built, len(image_ids), total, changes(new),
                        changes(resolved))  # fmt: skip


def _pool(vulndata: Path) -> list[tuple[str, list[str]]]:
    out = []
    for name in PYPI_NAMES:
        versions: set[str] = set()
        for record in sorted((vulndata / "osv/pypi/vulns" / name).glob("*.yaml"))[:3]:
            m = _VERSIONS.search(record.read_text(errors="replace"))
            if m:
                versions.update(v.strip()[2:].strip("'\"") for v in m.group(1).splitlines())
        out.append((name, sorted(v for v in versions if v)[-30:]))
    return out


def _fleet(count: int, sboms: list[Path], vulndata: Path) -> list[Any]:
    """(digest, os, packages) per image: a real SBOM's packages, some versions varied,
    plus six PyPI packages at real release versions."""
    rng = random.Random(8)
    templates = [read_sbom(p.read_bytes()) for p in sboms]
    pool = _pool(vulndata)
    out = []
    for n in range(count):
        sbom = templates[n % 2]
        packages = [replace(p, version=f"{p.version}.{rng.randint(0, 2)}")
                    if rng.random() < 0.2 else p for p in sbom.packages[:60]]  # fmt: skip
        for name, versions in rng.sample(pool, 6):
            version = rng.choice(versions)
            packages.append(Package(name, version, PackageType.PYTHON,
                                    Purl(f"pkg:pypi/{name}@{version}")))  # fmt: skip
        out.append((f"sha256:{n:064x}", sbom.os_info, packages))
    return out


def _fill(store: InventoryStore, db: VulnDB, fleet: list[Any]) -> None:
    """Images 0 and 3 mod 4 without findings, 1 mod 4 current, 2 mod 4 stale (one dropped,
    one that no longer applies, one severity changed without changing keys)."""
    with store.transaction():
        for n, (digest, os_info, packages) in enumerate(fleet):
            refs = [f"registry.example.com/svc{n}:1"]
            image_id, _ = store.put_image(digest, "sbom", refs, os_info, packages, "t0")
            findings = findings_of(packages, os_info, db)
            if n % 4 == 2 and findings:
                findings = [replace(findings[0], severity="LOW"), *findings[2:]]
                findings.append(StoredFinding("PYSEC-0000-0", "flask", "0.1", "pkg:pypi/flask"))
            if n % 4 in (1, 2):
                store.set_findings(image_id, findings)


def _state(store: InventoryStore) -> tuple[Any, ...]:
    findings = {k: sorted(v) for k, v in store.all_findings().items()}
    rows = store.conn.execute(
        "SELECT rescan_id, change, image_id, vuln_id, package, version, fixed, severity "
        "FROM rescan_changes"
    ).fetchall()
    analyses = store.conn.execute("SELECT image_id, analysis, at, detail FROM image_analyses")
    return findings, sorted(map(tuple, rows)), sorted(map(tuple, analyses.fetchall()))


def _indexes(store: InventoryStore) -> list[Any]:
    return sorted(store.conn.execute(store.conn.dialect.index_definitions, ("findings",)))


def test_new_rescan_matches_the_reference(
    monkeypatch: pytest.MonkeyPatch,
    inventory_pair: tuple[str, str],
    fresh_db: Path,
    add_npm_source: Callable[[Path], None],
    alpine_sbom: Path,
    micronaut_sbom: Path,
    vulndata: Path,
) -> None:
    fleet = _fleet(90, [alpine_sbom, micronaut_sbom], vulndata)
    stores = [open_inventory(url) for url in inventory_pair]
    try:
        with open_db(fresh_db) as db:
            for store in stores:
                _fill(store, db, fleet)
            indexes = _indexes(stores[1])
            old = reference_rescan(stores[0], db, "t1")
            # the first rescan writes more than the table holds: the bulk-fill path
            # (secondary indexes dropped, then re-created from their stored definitions)
            monkeypatch.setattr(rescan_write, "REINDEX_ROWS", 1)
            rebuilt: list[Any] = []
            choose = rescan_write._indexes_to_rebuild
            monkeypatch.setattr(
                rescan_write,
                "_indexes_to_rebuild",
                lambda *a: rebuilt.extend(choose(*a)) or rebuilt,
            )
            new = rescan(stores[1], db, "t1")
            monkeypatch.undo()
        assert [name for name, _ in rebuilt] == ["findings_vuln"]
        assert _indexes(stores[1]) == indexes
        assert new == old
        assert old.new and old.resolved  # the fleet exercises both kinds of change
        assert _state(stores[1]) == _state(stores[0])
        add_npm_source(fresh_db)  # new advisories, then a steady-state rescan
        with open_db(fresh_db) as db:
            assert rescan(stores[1], db, "t2") == reference_rescan(stores[0], db, "t2")
            assert _state(stores[1]) == _state(stores[0])
            again = rescan(stores[1], db, "t3")
        assert again.new == again.resolved == ()
        assert again.findings == new.findings
    finally:
        for store in stores:
            store.close()


def test_shared_row_bulk_load_round_trips_special_characters(inventory_db: str) -> None:
    """COPY's text format escapes tabs, newlines, carriage returns and backslashes."""
    odd = ("tab\there", "line\nbreak\r", "back\\slash \\N", "")
    tail = ("shared\t\\",)
    with open_inventory(inventory_db) as store:
        with store.transaction():
            store.conn.copy_shared("meta", 2, [((key,), tail) for key in odd])
        rows = store.conn.execute("SELECT key, value FROM meta WHERE value = ?", tail)
        assert sorted(rows.fetchall()) == sorted((key, tail[0]) for key in odd)
