"""Read queries the API and the dashboard share, over the public inventory store API.

Severity counts per image, one image with its packages and findings (each finding
with the layer that introduced its package), and trends over time (rescan
snapshots and when images were added). Sans-HTTP: takes an open store.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from hullguard.inventory.interface import (
    DeploymentRecord,
    ImageSummary,
    StoredFinding,
    StoredLayer,
    StoredPackage,
)
from hullguard.inventory.store import InventoryStore, stored_package
from hullguard.inventory.store_results import layer_by_diff_id
from hullguard.model.severity import Severity

#: most severe first, as the dashboard shows them
SEVERITIES: tuple[str, ...] = tuple(s.value for s in sorted(Severity, key=lambda s: -s.rank))
_RANK = {s.value: s.rank for s in Severity}


def severity_counts(findings: list[StoredFinding] | set[StoredFinding]) -> dict[str, int]:
    """Count per severity name (every level present, most severe first)."""
    counts = Counter(f.severity.upper() for f in findings)
    return {s: counts.get(s, 0) for s in SEVERITIES}


@dataclass(frozen=True)
class ImageOverview:
    summary: ImageSummary
    severities: dict[str, int]


def overview(store: InventoryStore) -> list[ImageOverview]:
    """Every stored image with its finding count per severity (sorted by digest)."""
    ids = {digest: image_id for image_id, digest in store.digests_for_all().items()}
    findings = store.all_findings()
    return [
        ImageOverview(s, severity_counts(findings.get(ids.get(s.digest, -1), set())))
        for s in store.images()
    ]


@dataclass(frozen=True, order=True)
class LocatedFinding:
    """A finding with where its package came from: the layer (diff id) and path, and the
    stored layer (index, blob digest, history step) when the image has layer data."""

    finding: StoredFinding
    layer: str
    path: str
    step: StoredLayer | None = field(default=None, compare=False)


@dataclass(frozen=True)
class ImageDetail:
    digest: str
    kind: str
    os: str
    refs: tuple[str, ...]
    deployments: tuple[DeploymentRecord, ...]
    packages: tuple[StoredPackage, ...]
    findings: tuple[LocatedFinding, ...]
    severities: dict[str, int] = field(default_factory=dict)
    #: the distinct layer diff ids that introduced packages (sorted)
    layers: tuple[str, ...] = ()
    #: every stored layer of the image, by index (empty: no layer data)
    image_layers: tuple[StoredLayer, ...] = ()

    def layer_of(self, diff_id: str) -> StoredLayer | None:
        """The stored layer with this diff id (the first, when identical layers repeat)."""
        return layer_by_diff_id(self.image_layers).get(diff_id) if diff_id else None


def layer_fields(layer: StoredLayer | None) -> dict[str, Any]:
    """The JSON fields that place a package in the image's build history."""
    if layer is None:
        return {"layer_index": None, "layer_digest": None, "created_by": None}
    return {
        "layer_index": layer.index,
        "layer_digest": layer.digest,
        "created_by": layer.created_by,
    }


def image_detail(store: InventoryStore, text: str) -> ImageDetail:
    """One image (digest, digest prefix or stored reference); raises ``NotInInventory``."""
    row = store.find_image(text)
    packages = sorted(
        stored_package(row.digest, r) for r in store.package_rows("image_id = ?", [row.id])
    )
    by_purl = {p.purl: p for p in packages if p.purl}
    by_name = {(p.name, p.version): p for p in packages}
    image_layers = store.layers_for([row.id]).get(row.id, ())
    steps = layer_by_diff_id(image_layers)
    located = []
    for f in store.findings_for(row.id):
        pkg = by_purl.get(f.purl) or by_name.get((f.package, f.version))
        diff_id = pkg.layer if pkg else ""
        located.append(
            LocatedFinding(f, diff_id, pkg.path if pkg else "", steps.get(diff_id) if pkg else None)
        )
    located.sort(key=lambda x: (-_RANK.get(x.finding.severity.upper(), 0), x))
    layers = tuple(sorted({p.layer for p in packages if p.layer}))
    return ImageDetail(
        digest=row.digest,
        kind=row.kind,
        os=next((i.os for i in store.images() if i.digest == row.digest), ""),
        refs=store.refs_for([row.id]).get(row.id, ()),
        deployments=tuple(store.deployments_for([row.id]).get(row.id, [])),
        packages=tuple(packages),
        findings=tuple(located),
        severities=severity_counts([x.finding for x in located]),
        layers=layers,
        image_layers=image_layers,
    )


@dataclass(frozen=True)
class RescanPoint:
    """One ``inventory rescan`` snapshot: totals and changes per severity."""

    rescan_id: int
    at: str
    images: int
    findings: int
    new: dict[str, int]
    resolved: dict[str, int]


@dataclass(frozen=True)
class Trends:
    rescans: tuple[RescanPoint, ...]
    #: (date, images stored by the end of that day), oldest first
    images_added: tuple[tuple[str, int], ...]
    current: dict[str, int]


def trends(store: InventoryStore) -> Trends:
    """Findings over time (rescan snapshots) and the number of stored images over time."""
    changes: dict[tuple[int, str], Counter[str]] = defaultdict(Counter)
    for rescan_id, change, severity, count in store.conn.execute(
        "SELECT rescan_id, change, severity, COUNT(*) FROM rescan_changes "
        "GROUP BY rescan_id, change, severity"
    ):
        changes[(int(rescan_id), str(change))][str(severity).upper()] += int(count)
    points = tuple(
        RescanPoint(
            int(r[0]), str(r[1]), int(r[2]), int(r[3]),
            _per_severity(changes[(int(r[0]), "new")]),
            _per_severity(changes[(int(r[0]), "resolved")]),
        )
        for r in store.conn.execute("SELECT id, at, images, findings FROM rescans ORDER BY id")
    )  # fmt: skip
    per_day = Counter(i.added_at[:10] for i in store.images())
    running, added = 0, []
    for day in sorted(per_day):
        running += per_day[day]
        added.append((day, running))
    current: Counter[str] = Counter()
    for item in overview(store):
        current.update(item.severities)
    return Trends(points, tuple(added), _per_severity(current))


def _per_severity(counts: Counter[str]) -> dict[str, int]:
    return {s: counts.get(s, 0) for s in SEVERITIES}
