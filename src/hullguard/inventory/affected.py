"""Vulnerability questions over the inventory: ``who-is-affected`` and ``rescan``.

Stored packages are re-matched with the same matcher ``hullguard scan`` uses
(:func:`hullguard.match.matcher.match_packages`). Packages are grouped by the
image's OS and deduplicated first, so a package shared by ten thousand images is
matched once.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from hullguard.errors import UsageError
from hullguard.inventory.interface import (
    DeploymentRecord,
    InventoryError,
    StoredFinding,
    StoredLayer,
    os_from_json,
)
from hullguard.inventory.store import InventoryStore, stored_package
from hullguard.inventory.store_results import layer_by_diff_id
from hullguard.match.matcher import match_packages
from hullguard.match.model import Finding
from hullguard.model.package import Package
from hullguard.vulndb import VulnDB

#: (type, name, version, purl, source_name, source_version, metadata)
PackageKey = tuple[str, str, str, str, str, str, str]


def stored_finding(f: Finding) -> StoredFinding:
    return StoredFinding(
        f.vuln_id,
        f.package_name,
        f.package_version,
        f.purl,
        tuple(f.fixed_versions),
        f.severity.value,
        tuple(f.aliases),
    )


def findings_of(packages: Sequence[Package], os_info: Any, db: VulnDB) -> list[StoredFinding]:
    """Findings of one image's packages (no suppressions: the inventory keeps them all)."""
    findings, _ = match_packages(packages, os_info, db)
    return sorted({stored_finding(f) for f in findings})


def match_rows(
    store: InventoryStore,
    rows: Iterable[Sequence[Any]],
    db: VulnDB,
    keep: Callable[[StoredFinding], bool] | None = None,
) -> dict[int, set[StoredFinding]]:
    """Findings per image id for package rows (see ``InventoryStore.package_rows``);
    with ``keep``, only the findings it accepts (filtered before the per-image fan-out)."""
    rows = list(rows)
    os_of = store.os_for({row[0] for row in rows})
    by_os: dict[str, dict[PackageKey, list[int]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        key: PackageKey = (row[1], row[2], row[3], row[4], row[5], row[6], row[9])
        by_os[os_of[row[0]]][key].append(row[0])
    out: dict[int, set[StoredFinding]] = defaultdict(set)
    for os_text, keyed in by_os.items():
        _match_group(os_text, keyed, db, out, keep)
    return out


def _match_group(
    os_text: str,
    keyed: dict[PackageKey, list[int]],
    db: VulnDB,
    out: dict[int, set[StoredFinding]],
    keep: Callable[[StoredFinding], bool] | None,
) -> None:
    packages = {
        key: stored_package("", (0, *key[:6], "", "", key[6])).to_package() for key in keyed
    }
    findings, _ = match_packages(list(packages.values()), os_from_json(os_text), db)
    owners: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for key, images in keyed.items():
        owners[(key[1], key[2], key[3])].extend(images)
    for finding in findings:
        stored = stored_finding(finding)
        if keep is not None and not keep(stored):
            continue
        for image_id in owners.get(
            (finding.package_name, finding.package_version, finding.purl), []
        ):
            out[image_id].add(stored)


# -- who-is-affected ------------------------------------------------------------


def resolve_vuln(db: VulnDB, vuln_id: str) -> tuple[frozenset[str], dict[str, set[str]]]:
    """The id with its aliases, and the (namespace -> names) the database lists for them."""
    try:
        conn = sqlite3.connect(f"file:{db.path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise InventoryError(f"cannot read {db.path}: {exc}") from None
    try:
        pattern = (
            '%"' + vuln_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + '"%'
        )
        ids = {vuln_id}
        for advisory_id, aliases in conn.execute(
            "SELECT id, aliases FROM advisories WHERE id = ? OR aliases LIKE ? ESCAPE '\\'",
            (vuln_id, pattern),
        ):
            ids.add(advisory_id)
            ids.update(json.loads(aliases))
        marks = ",".join("?" * len(ids))
        names: dict[str, set[str]] = defaultdict(set)
        for namespace, name in conn.execute(
            f"SELECT namespace, name FROM affected WHERE advisory_id IN ({marks})",  # noqa: S608
            sorted(ids),
        ):
            names[namespace].add(name)
    finally:
        conn.close()
    if not names:
        raise UsageError(
            f"{vuln_id} is not in the vulnerability database",
            hint="check the id, or run `hullguard db update` for newer advisories",
        )
    return frozenset(ids), names


@dataclass(frozen=True, order=True)
class AffectedImage:
    digest: str
    refs: tuple[str, ...]
    deployments: tuple[DeploymentRecord, ...]
    findings: tuple[StoredFinding, ...]
    #: (package, version, purl) -> the layer that added it, where the image has layer data
    layers: tuple[tuple[tuple[str, str, str], StoredLayer], ...] = field(default=(), compare=False)

    def layer_of(self, finding: StoredFinding) -> StoredLayer | None:
        return dict(self.layers).get((finding.package, finding.version, finding.purl))


@dataclass(frozen=True)
class WhoIsAffected:
    vuln_id: str
    aliases: tuple[str, ...]
    images: tuple[AffectedImage, ...]


def who_is_affected(store: InventoryStore, db: VulnDB, vuln_id: str) -> WhoIsAffected:
    """Stored images with a package the current database says ``vuln_id`` affects."""
    ids, names = resolve_vuln(db, vuln_id)
    rows = list(_lookup_rows(store, names))
    matched = match_rows(
        store, rows, db, keep=lambda f: f.vuln_id in ids or not ids.isdisjoint(f.aliases)
    )
    hits = {image_id: tuple(sorted(found)) for image_id, found in matched.items() if found}
    digests = store.digests_for(hits)
    refs = store.refs_for(hits)
    deployments = store.deployments_for(hits)
    layers = _package_layers(store, rows, hits)
    images = sorted(
        AffectedImage(
            digests[i], refs.get(i, ()), tuple(deployments.get(i, [])), found, layers.get(i, ())
        )
        for i, found in hits.items()
    )
    return WhoIsAffected(vuln_id, tuple(sorted(ids - {vuln_id})), tuple(images))


def _package_layers(
    store: InventoryStore, rows: Sequence[Sequence[Any]], image_ids: Iterable[int]
) -> dict[int, tuple[tuple[tuple[str, str, str], StoredLayer], ...]]:
    """Per image, (package, version, purl) -> the stored layer its diff id names."""
    stored = {i: layer_by_diff_id(x) for i, x in store.layers_for(image_ids).items()}
    out: dict[int, dict[tuple[str, str, str], StoredLayer]] = defaultdict(dict)
    for row in rows:
        layer = stored.get(row[0], {}).get(row[7])
        if layer is not None:
            out[row[0]].setdefault((row[2], row[3], row[4]), layer)
    return {i: tuple(sorted(x.items())) for i, x in out.items()}


def _lookup_rows(store: InventoryStore, names: dict[str, set[str]]) -> Iterator[tuple[Any, ...]]:
    for namespace, wanted in sorted(names.items()):
        ordered = sorted(wanted)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            marks = ",".join("?" * len(chunk))
            yield from store.package_rows(
                f"lookup_ns = ? AND lookup_name IN ({marks})", [namespace, *chunk]
            )
