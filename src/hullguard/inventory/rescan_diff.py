"""The compute half of ``inventory rescan``: what each image has now vs what is stored.

Cost grows with distinct package tuples and is streamed image by image:

1. the matcher runs once per distinct (OS, package) tuple of the whole inventory
   (``SELECT DISTINCT`` in the database, not two million rows in Python);
2. images are then walked in id ranges of :data:`BATCH` images: their package
   identities and the keys of their stored findings (joined to one string per key
   in SQL) are read for that range only; the image's current findings are the
   concatenation of its packages' matched findings (shared objects, deduplicated
   once per tuple), and only images whose set of finding keys changed are kept
   for writing.

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
#: joins a finding key's parts (the ASCII unit separator: in no id, name or version)
_SEP = "\x1f"

_DISTINCT = (
    "SELECT DISTINCT i.os, p.type, p.name, p.version, p.purl, p.source_name, "
    "p.source_version, p.metadata FROM packages p JOIN images i ON i.id = p.image_id"
)


@dataclass(frozen=True)
class Matched:
    """What one owner tuple contributes to an image: its number of distinct findings,
    one finding per key (the smallest, as ``set_findings`` keeps) and those keys joined
    to one string each (compared with stored keys joined the same way in SQL)."""

    count: int
    findings: tuple[StoredFinding, ...]
    keys: frozenset[str]


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


def joined(key: FindingKey) -> str:
    return _SEP.join(key)


def match_distinct(store: InventoryStore, db: VulnDB) -> dict[Owner, Matched]:
    """Findings of every distinct stored package, keyed by its owner tuple.

    A finding's key includes its package's name, version and purl, so findings of
    different owners of one image never share a key or compare equal: an image's
    findings are the concatenation of its owners' (no per-image dedupe needed)."""
    by_os: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    for os_text, *key in store.conn.execute(_DISTINCT):
        by_os[os_text].append(tuple(key))
    found: dict[Owner, set[StoredFinding]] = defaultdict(set)
    for os_text in sorted(by_os):
        keys = sorted(by_os.pop(os_text))
        packages = [stored_package("", (0, *key[:6], "", "", key[6])).to_package() for key in keys]
        del keys
        findings, _ = match_packages(packages, os_from_json(os_text), db)
        for finding in findings:
            owner = (os_text, finding.package_name, finding.package_version, finding.purl)
            found[owner].add(stored_finding(finding))
    out = {}
    for owner, items in found.items():
        kept = smallest_per_key(items)
        out[owner] = Matched(len(items), tuple(kept.values()), frozenset(map(joined, kept)))
    return out


def diff_images(store: InventoryStore, matched: dict[Owner, Matched]) -> Diff:
    """Walk every image in id batches and keep what changed."""
    os_of = store.os_for(None)
    diff = Diff(sorted(os_of))
    for batch in _batches(diff.image_ids):
        owned, stored = _read_batch(store, batch[0], batch[-1])
        for image_id in batch:
            os_text = os_of[image_id]
            hits = [
                hit
                for name, version, purl in owned.get(image_id, ())
                if (hit := matched.get((os_text, name, version, purl))) is not None
            ]
            diff.total += sum(hit.count for hit in hits)
            after: set[str] = set().union(*(hit.keys for hit in hits))
            before = stored.get(image_id, set())
            if after != before:
                _record(store, diff, image_id, hits, before, after)
    return diff


def _record(
    store: InventoryStore,
    diff: Diff,
    image_id: int,
    hits: list[Matched],
    before: set[str],
    after: set[str],
) -> None:
    current = [f for hit in hits for f in hit.findings]
    diff.current[image_id] = current
    if after - before:
        diff.new[image_id] = [f for f in current if joined(f.key) not in before]
    gone = before - after
    if gone:
        diff.resolved[image_id] = [f for f in store.findings_for(image_id) if joined(f.key) in gone]


def smallest_per_key(found: set[StoredFinding]) -> dict[FindingKey, StoredFinding]:
    """One finding per key, the smallest (what ``set_findings`` keeps): deterministic."""
    out: dict[FindingKey, StoredFinding] = {}
    for finding in found:
        kept = out.setdefault(finding.key, finding)
        if kept is not finding and finding < kept:
            out[finding.key] = finding
    return out


def _batches(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def _read_batch(
    store: InventoryStore, low: int, high: int
) -> tuple[dict[int, set[tuple[str, str, str]]], dict[int, set[str]]]:
    owned: dict[int, set[tuple[str, str, str]]] = defaultdict(set)
    for image_id, name, version, purl in store.conn.execute(
        "SELECT image_id, name, version, purl FROM packages WHERE image_id BETWEEN ? AND ?",
        (low, high),
    ):
        owned[image_id].add((name, version, purl))
    stored: dict[int, set[str]] = defaultdict(set)
    for image_id, key in store.conn.execute(
        "SELECT image_id, vuln_id || ? || package || ? || version || ? || purl FROM findings "
        "WHERE image_id BETWEEN ? AND ?",
        (_SEP, _SEP, _SEP, low, high),
    ):
        stored[image_id].add(key)
    return owned, stored
