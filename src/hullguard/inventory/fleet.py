"""Fleet reads: ``who-has`` and ``diff`` over a store (no vulnerability data needed)."""

from __future__ import annotations

from dataclasses import dataclass

from hullguard.inventory.interface import (
    DeploymentRecord,
    StoredFinding,
    StoredLayer,
    StoredPackage,
)
from hullguard.inventory.query import PackageQuery
from hullguard.inventory.store import InventoryStore, stored_package
from hullguard.inventory.store_results import layer_by_diff_id
from hullguard.versions import InvalidVersion


@dataclass(frozen=True)
class PackageHit:
    """One matching package in one image, with the image's names and deployments."""

    package: StoredPackage
    refs: tuple[str, ...]
    deployments: tuple[DeploymentRecord, ...]
    #: the layer that added the package (None: the image has no stored layer data)
    layer: StoredLayer | None = None


@dataclass(frozen=True)
class WhoHas:
    query: str
    hits: tuple[PackageHit, ...]
    #: packages with the name whose version the ecosystem's comparator could not read
    unreadable: tuple[StoredPackage, ...]


def who_has(store: InventoryStore, query: PackageQuery) -> WhoHas:
    """Every stored package matching ``query`` (by name, or by distro source package)."""
    names = query.norm_names
    marks = ",".join("?" * len(names))
    rows = store.package_rows(
        # ``source_name <> ''`` lets SQLite use the partial index (else: a full scan)
        f"norm_name IN ({marks}) OR (source_name IN ({marks}) AND source_name <> '' "
        "AND type IN ('deb','apk','rpm'))",
        [*names, *names],
    )
    kept, unreadable = [], []
    for row in rows:
        try:
            if query.selects(row[1], row[3]):
                kept.append(row)
        except InvalidVersion:
            unreadable.append(row)
    ids = {r[0] for r in kept} | {r[0] for r in unreadable}
    digests = store.digests_for(ids)
    refs = store.refs_for(ids)
    deployments = store.deployments_for(ids)
    layers = {i: layer_by_diff_id(x) for i, x in store.layers_for(ids).items()}
    hits = [
        PackageHit(
            stored_package(digests[r[0]], r),
            refs.get(r[0], ()),
            tuple(deployments.get(r[0], [])),
            layers.get(r[0], {}).get(r[7]),
        )
        for r in kept
    ]
    return WhoHas(
        query.text,
        tuple(sorted(hits, key=lambda h: h.package)),
        tuple(sorted(stored_package(digests[r[0]], r) for r in unreadable)),
    )


@dataclass(frozen=True)
class ImageDiff:
    image_a: str
    image_b: str
    packages_added: tuple[tuple[str, str, str], ...]
    packages_removed: tuple[tuple[str, str, str], ...]
    findings_added: tuple[StoredFinding, ...]
    findings_removed: tuple[StoredFinding, ...]


def diff_images(store: InventoryStore, first: str, second: str) -> ImageDiff:
    """Packages (type, name, version) and findings in B but not A, and the reverse."""
    a, b = store.find_image(first), store.find_image(second)
    pa, pb = _package_set(store, a.id), _package_set(store, b.id)
    fa = {f.key: f for f in store.findings_for(a.id)}
    fb = {f.key: f for f in store.findings_for(b.id)}
    return ImageDiff(
        a.digest,
        b.digest,
        tuple(sorted(pb - pa)),
        tuple(sorted(pa - pb)),
        tuple(sorted(fb[k] for k in fb.keys() - fa.keys())),
        tuple(sorted(fa[k] for k in fa.keys() - fb.keys())),
    )


def _package_set(store: InventoryStore, image_id: int) -> set[tuple[str, str, str]]:
    return {(r[1], r[2], r[3]) for r in store.package_rows("image_id = ?", [image_id])}
