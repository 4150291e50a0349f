"""Schema V3: image layers (index, blob digest, diff id, redacted history step) round-trip,
migrate onto an older inventory, and are derived from SBOM evidence with secrets masked."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from hullguard.inventory import open_inventory
from hullguard.inventory.ingest import evidence_layers
from hullguard.inventory.interface import StoredLayer
from hullguard.inventory.schema import MIGRATIONS, SCHEMA_VERSION
from hullguard.inventory.store_results import layer_by_diff_id
from hullguard.model.package import Evidence, Package, PackageType, Purl

NOW = "2026-11-28T10:00:00+00:00"
DIFF_A, DIFF_B = "sha256:" + "a" * 64, "sha256:" + "b" * 64
#: a fake build argument value (obviously not a real token)
FAKE_TOKEN = "ghp_" + "x" * 36


def test_v2_inventory_migrates_to_layers(tmp_path: Path) -> None:
    path = tmp_path / "inv.db"
    conn = sqlite3.connect(path)
    for step in MIGRATIONS[:2]:
        conn.executescript(step)
    conn.execute("INSERT INTO meta VALUES ('schema_version', '2')")
    conn.execute(
        "INSERT INTO images VALUES (1, ?, 'image', '', ?, ?, 0)", ("sha256:" + "1" * 64, NOW, NOW)
    )
    conn.commit()
    conn.close()
    with open_inventory(path) as store:
        assert store.schema_version() == SCHEMA_VERSION >= 3
        assert store.layers_for([1]) == {}  # no backfill: nothing known about old images


def test_layers_round_trip_and_replace(tmp_path: Path) -> None:
    layers = [StoredLayer(1, "sha256:blob1", DIFF_B, "RUN x"), StoredLayer(0, "sha256:blob0",
              DIFF_A, "ADD rootfs")]  # fmt: skip
    with open_inventory(tmp_path / "inv.db") as store:
        with store.transaction():
            image_id, _ = store.put_image("sha256:" + "3" * 64, "image", ["r:1"], None, [], NOW)
            store.set_layers(image_id, [*layers, layers[0]])  # duplicates collapse
        assert store.layers_for([image_id]) == {image_id: (layers[1], layers[0])}
        with store.transaction():
            store.set_layers(image_id, layers[:1])
        assert store.layers_for([image_id, 99]) == {image_id: (layers[0],)}


def test_layer_by_diff_id_prefers_the_first_of_identical_layers() -> None:
    first, again = StoredLayer(2, "d2", DIFF_A, "RUN a"), StoredLayer(5, "d5", DIFF_A, "RUN b")
    assert layer_by_diff_id([again, first, StoredLayer(6, "d6", "", "")]) == {DIFF_A: first}


def test_label_collapses_whitespace() -> None:
    assert StoredLayer(3, "", DIFF_A, "/bin/sh -c  apt-get\n  install x").label() == (
        "#3 /bin/sh -c apt-get install x"
    )
    assert StoredLayer(0, "", DIFF_A).label() == "#0"


def _pkg(name: str, *evidence: Evidence) -> Package:
    return Package(name=name, version="1", type=PackageType.PYTHON,
                   purl=Purl(f"pkg:pypi/{name}@1"), evidence=evidence)  # fmt: skip


def test_evidence_layers_from_sbom_packages_are_redacted() -> None:
    step = f"|1 API_TOKEN={FAKE_TOKEN} /bin/sh -c pip install ."
    packages = [
        _pkg("a", Evidence("/a", 2, DIFF_B, step)),
        _pkg("b", Evidence("/b", 0, DIFF_A, "ADD rootfs"), Evidence("/b2", 2, DIFF_B, step)),
        _pkg("c", Evidence("/c")),  # no layer data: contributes nothing
    ]
    layers = evidence_layers(packages)
    assert [(x.index, x.digest, x.diff_id) for x in layers] == [(0, "", DIFF_A), (2, "", DIFF_B)]
    assert FAKE_TOKEN not in layers[1].created_by
    assert layers[1].created_by.startswith("|1 API_TOKEN=ghp_…[40 chars] /bin/sh -c pip install")
    assert evidence_layers([_pkg("c", Evidence("/c"))]) == ()
