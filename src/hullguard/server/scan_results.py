"""The webhook's view of the inventory: stored scan results per image digest, cached.

The webhook never scans; ``hullguard inventory add`` (CI, a rescan job) stores
each image's findings and secret findings by digest, and the webhook reads them
here. One lock serialises use of the store's connection (the server answers on
many threads); results are cached per digest for the verification cache's TTL.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from hullguard.inventory.interface import Analysis, NotInInventory, os_from_json
from hullguard.inventory.store import InventoryStore
from hullguard.match.model import Finding
from hullguard.model.package import OSInfo
from hullguard.policy.stored import finding_of, secret_of
from hullguard.scan.image_secrets import ImageSecret
from hullguard.server.cache import TTLCache


@dataclass(frozen=True)
class ImageResults:
    """What the inventory holds for one digest; ``None`` fields were never analysed."""

    digest: str
    vulnerabilities: tuple[Finding, ...] | None
    secrets: tuple[ImageSecret, ...] | None
    os_info: OSInfo | None
    scanned_at: dict[str, str]


@dataclass(frozen=True)
class _Unknown:
    """Cached "not in the inventory" (a miss is cached like a hit)."""


class StoredResults:
    """Thread-safe, cached reads of one open inventory."""

    def __init__(self, store: InventoryStore, ttl: float) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._cache: TTLCache[ImageResults | _Unknown] = TTLCache(ttl)

    def close(self) -> None:
        with self._lock:
            self.store.close()

    def get(self, digest: str) -> ImageResults | None:
        """Results for ``digest``; ``None`` when the inventory does not hold it."""
        cached = self._cache.get(digest)
        if cached is None:
            cached = self._read(digest)
            self._cache.put(digest, cached)
        return None if isinstance(cached, _Unknown) else cached

    def _read(self, digest: str) -> ImageResults | _Unknown:
        with self._lock:
            try:
                row = self.store.find_image(digest)
            except NotInInventory:
                return _Unknown()
            analyses = self.store.analyses_for(row.id)
            findings = self.store.findings_for(row.id)
            secrets = self.store.secrets_for(row.id)
        return ImageResults(
            digest=row.digest,
            vulnerabilities=tuple(finding_of(f) for f in findings)
            if Analysis.VULNERABILITIES in analyses
            else None,
            secrets=tuple(secret_of(s) for s in secrets) if Analysis.SECRETS in analyses else None,
            os_info=os_from_json(row.os),
            scanned_at=analyses,
        )
