"""``inventory rescan``: re-match every stored image against the current database.

The stored findings are the baseline (what the last add or rescan found); the
new findings replace them in one transaction, and the difference is recorded as
a rescan snapshot (``rescans`` and ``rescan_changes``) and returned.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from hullguard.inventory.affected import match_rows
from hullguard.inventory.interface import Analysis, DeploymentRecord, StoredFinding
from hullguard.inventory.store import InventoryStore
from hullguard.vulndb import VulnDB


@dataclass(frozen=True, order=True)
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
    image_ids = sorted(store.digests_for_all())
    current = match_rows(store, store.package_rows("1 = 1", []), db)
    previous = store.finding_keys()
    new: list[tuple[int, StoredFinding]] = []
    resolved: list[tuple[int, StoredFinding]] = []
    for image_id in image_ids:
        before = previous.get(image_id, set())
        after = {f.key: f for f in current.get(image_id, set())}
        new += [(image_id, after[k]) for k in after.keys() - before]
        if before - after.keys():
            gone = before - after.keys()
            resolved += [(image_id, f) for f in store.findings_for(image_id) if f.key in gone]
    built = db.built_at.isoformat() if db.built_at else ""
    total = sum(len(v) for v in current.values())
    with store.transaction():
        changed = {i for i, _ in new} | {i for i, _ in resolved}
        for image_id in sorted(changed):
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
        store.conn.copy_rows(
            "rescan_changes", 8,
            [
                (rescan_id, kind, i, f.vuln_id, f.package, f.version, json.dumps(f.fixed),
                 f.severity)
                for kind, items in (("new", new), ("resolved", resolved))
                for i, f in items
            ],
        )  # fmt: skip
    return RescanReport(
        rescan_id, now, built, len(image_ids), total,
        _changes(store, new), _changes(store, resolved),
    )  # fmt: skip


def _changes(store: InventoryStore, items: list[tuple[int, StoredFinding]]) -> tuple[Change, ...]:
    ids = {i for i, _ in items}
    digests = store.digests_for(ids)
    refs = store.refs_for(ids)
    deployments = store.deployments_for(ids)
    return tuple(
        sorted(
            Change(f, digests[i], refs.get(i, ()), tuple(deployments.get(i, []))) for i, f in items
        )
    )
