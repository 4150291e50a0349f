"""``inventory rescan``: re-match every stored image against the current database.

The stored findings are the baseline (what the last add or rescan found); images
whose set of finding keys changed get their findings replaced, all in one
transaction, and the difference is recorded as a rescan snapshot (``rescans`` and
``rescan_changes``) and returned. Computing the difference is
:mod:`hullguard.inventory.rescan_diff` (matching once per distinct package tuple,
streamed image by image); writing it is :mod:`hullguard.inventory.rescan_write`
(bulk statements). See docs/adr/0200-rescan-at-scale.md.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from hullguard.inventory.interface import DeploymentRecord, StoredFinding
from hullguard.inventory.rescan_diff import diff_images, match_distinct
from hullguard.inventory.rescan_write import write_rescan
from hullguard.inventory.store import InventoryStore
from hullguard.vulndb import VulnDB


@dataclass(frozen=True, order=True, slots=True)
class Change:
    """A finding that appeared (or went away) on one image."""

    finding: StoredFinding
    digest: str
    refs: tuple[str, ...]
    deployments: tuple[DeploymentRecord, ...]


@dataclass(frozen=True)
class RescanReport:
    rescan_id: int
    at: str
    db_built_at: str
    images: int
    findings: int
    new: tuple[Change, ...]
    resolved: tuple[Change, ...]

    def newly_affected(self) -> dict[str, list[Change]]:
        """New changes grouped by vulnerability id (sorted)."""
        out: dict[str, list[Change]] = {}
        for change in self.new:
            out.setdefault(change.finding.vuln_id, []).append(change)
        return dict(sorted(out.items()))


def rescan(store: InventoryStore, db: VulnDB, now: str) -> RescanReport:
    """Re-match everything, store the result and report the difference."""
    matched = match_distinct(store, db)
    diff = diff_images(store, matched)
    del matched
    built = db.built_at.isoformat() if db.built_at else ""
    rescan_id = write_rescan(store, diff, now, built)
    return RescanReport(
        rescan_id, now, built, len(diff.image_ids), diff.total,
        _changes(store, diff.new), _changes(store, diff.resolved),
    )  # fmt: skip


def _changes(store: InventoryStore, items: dict[int, list[StoredFinding]]) -> tuple[Change, ...]:
    """Changes sorted as ``sorted()`` would (finding, then digest), without comparing or
    hashing millions of dataclasses: findings are shared objects, grouped by identity,
    equal ones merged, sorted once; each finding's images are ordered by digest rank."""
    digests = store.digests_for(items)
    refs = store.refs_for(items)
    deployments = {i: tuple(d) for i, d in store.deployments_for(items).items()}
    rank = {image_id: n for n, image_id in enumerate(sorted(digests, key=digests.__getitem__))}
    by_object: dict[int, list[int]] = defaultdict(list)
    objects: dict[int, StoredFinding] = {}
    for image_id, findings in items.items():
        for finding in findings:
            by_object[id(finding)].append(image_id)
            objects[id(finding)] = finding
    owners: dict[StoredFinding, list[int]] = defaultdict(list)
    for ident, image_ids in by_object.items():
        owners[objects[ident]].extend(image_ids)
    out: list[Change] = []
    for finding in sorted(owners):
        for image_id in sorted(owners.pop(finding), key=rank.__getitem__):
            out.append(
                Change(finding, digests[image_id], refs.get(image_id, ()),
                       deployments.get(image_id, ()))
            )  # fmt: skip
    return tuple(out)
