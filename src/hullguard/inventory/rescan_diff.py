"""The compute half of ``inventory rescan``: what each image has now vs what is stored.

Cost grows with distinct package tuples and is streamed image by image:

1. the matcher runs once per distinct (OS, package) tuple of the whole inventory
   (``SELECT DISTINCT`` in the database, not two million rows in Python);
2. images are then walked in id ranges of :data:`BATCH` images: their package
   identities and the keys of their stored findings are read for that range only,
   the image's current findings are the union of its packages' matched findings
   (shared objects, nothing copied), and only images whose set of finding keys
   changed are kept for writing.

Memory is the matched tuples plus the findings of changed images; an unchanged
image costs nothing after its batch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from hullguard.inventory.affected import stored_finding
from hullguard.inventory.interface import StoredFinding, os_from_json
from hullguard.inventory.rows import stored_package
from hullguard.inventory.store import InventoryStore
from hullguard.match.matcher import match_packages
from hullguard.vulndb import VulnDB

#: images per read batch (bounded memory: about 200 package rows each)
BATCH = 500
#: (os json, package name, version, purl): what a finding is attached to
Owner = tuple[str, str, str, str]
FindingKey = tuple[str, str, str, str]

_DISTINCT = (
    "SELECT DISTINCT i.os, p.type, p.name, p.version, p.purl, p.source_name, "
    "p.source_version, p.metadata FROM packages p JOIN images i ON i.id = p.image_id"
)


@dataclass
class Diff:
    """Per image: the findings to store (changed images only), and the changes."""

    image_ids: list[int]
    #: every image's count of distinct current findings, summed
    total: int = 0
    #: changed image -> its current findings, one per key (what gets written)
    current: dict[int, list[StoredFinding]] = field(default_factory=dict)
    new: dict[int, list[StoredFinding]] = field(default_factory=dict)
    resolved: dict[int, list[StoredFinding]] = field(default_factory=dict)


def match_distinct(store: InventoryStore, db: VulnDB) -> dict[Owner, tuple[StoredFinding, ...]]:
    """Findings of every distinct stored package, keyed by its owner tuple."""
    by_os: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    for os_text, *key in store.conn.execute(_DISTINCT):
        by_os[os_text].append(tuple(key))
    out: dict[Owner, set[StoredFinding]] = defaultdict(set)
    for os_text in sorted(by_os):
        keys = sorted(by_os.pop(os_text))
        packages = [stored_package("", (0, *key[:6], "", "", key[6])).to_package() for key in keys]
        del keys
        findings, _ = match_packages(packages, os_from_json(os_text), db)
        for finding in findings:
            owner = (os_text, finding.package_name, finding.package_version, finding.purl)
            out[owner].add(stored_finding(finding))
    return {owner: tuple(found) for owner, found in out.items()}


def diff_images(store: InventoryStore, matched: dict[Owner, tuple[StoredFinding, ...]]) -> Diff:
    """Walk every image in id batches and keep what changed."""
    os_of = store.os_for(None)
    diff = Diff(sorted(os_of))
    for batch in _batches(diff.image_ids):
        owned, stored = _read_batch(store, batch[0], batch[-1])
        for image_id in batch:
            os_text = os_of[image_id]
            found: set[StoredFinding] = set()
            for name, version, purl in owned.get(image_id, ()):
                hit = matched.get((os_text, name, version, purl))
                if hit:
                    found.update(hit)
            diff.total += len(found)
            _compare(store, diff, image_id, found, stored.get(image_id, set()))
    return diff


def _compare(
    store: InventoryStore,
    diff: Diff,
    image_id: int,
    found: set[StoredFinding],
    before: set[FindingKey],
) -> None:
    after = smallest_per_key(found)
    added = after.keys() - before
    gone = before - after.keys()
    if not added and not gone:
        return
    diff.current[image_id] = list(after.values())
    if added:
        diff.new[image_id] = [after[k] for k in added]
    if gone:
        diff.resolved[image_id] = [f for f in store.findings_for(image_id) if f.key in gone]


def smallest_per_key(found: set[StoredFinding]) -> dict[FindingKey, StoredFinding]:
    """One finding per key, the smallest (what ``set_findings`` keeps): deterministic."""
    out: dict[FindingKey, StoredFinding] = {}
    for finding in found:
        kept = out.setdefault(finding.key, finding)
        if finding < kept:
            out[finding.key] = finding
    return out


def _batches(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def _read_batch(
    store: InventoryStore, low: int, high: int
) -> tuple[dict[int, set[tuple[str, str, str]]], dict[int, set[FindingKey]]]:
    owned: dict[int, set[tuple[str, str, str]]] = defaultdict(set)
    for image_id, name, version, purl in store.conn.execute(
        "SELECT image_id, name, version, purl FROM packages WHERE image_id BETWEEN ? AND ?",
        (low, high),
    ):
        owned[image_id].add((name, version, purl))
    stored: dict[int, set[FindingKey]] = defaultdict(set)
    for image_id, vuln_id, package, version, purl in store.conn.execute(
        "SELECT image_id, vuln_id, package, version, purl FROM findings "
        "WHERE image_id BETWEEN ? AND ?",
        (low, high),
    ):
        stored[image_id].add((vuln_id, package, version, purl))
    return owned, stored
