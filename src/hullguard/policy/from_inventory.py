"""``hullguard gate --database``: the stored results of an image's digest as gate inputs.

The I/O side of :mod:`hullguard.policy.stored` (which converts rows): open the
inventory, find the image by manifest digest (else config digest, as ``inventory
add`` stores it) and read the analyses the policy needs. ``None`` / a reason
tells the gate to scan instead, as it does without ``--database``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hullguard.inventory.interface import Analysis, NotInInventory, os_from_json
from hullguard.inventory.store import open_inventory, resolve_database
from hullguard.match.model import Finding
from hullguard.model.package import OSInfo
from hullguard.policy.stored import finding_of, secret_of
from hullguard.scan.image_secrets import ImageSecret


@dataclass(frozen=True)
class StoredScan:
    """What the inventory holds for the gated image (``None``: not needed by the policy)."""

    digest: str
    vulnerabilities: tuple[Finding, ...] | None
    secrets: tuple[ImageSecret, ...] | None
    os_info: OSInfo | None
    #: analysis -> when its stored results were written
    scanned_at: dict[str, str]


def load_stored(
    database: str, digests: Sequence[str], *, vulnerabilities: bool, secrets: bool
) -> StoredScan | str:
    """The stored results, or why they cannot stand in for a scan (a one-line reason)."""
    target = resolve_database(database)
    with open_inventory(target) as store:
        row = None
        for digest in (d for d in digests if d):
            try:
                row = store.find_image(digest)
                break
            except NotInInventory:
                continue
        if row is None:
            return f"{_first(digests)} is not in the inventory at {target.label}"
        analyses = store.analyses_for(row.id)
        missing = [
            name
            for name, wanted in ((Analysis.VULNERABILITIES, vulnerabilities),
                                 (Analysis.SECRETS, secrets))
            if wanted and name not in analyses
        ]  # fmt: skip
        if missing:
            return f"{row.digest} has no stored {' or '.join(missing)} results in {target.label}"
        found = store.findings_for(row.id) if vulnerabilities else []
        stored_secrets = store.secrets_for(row.id) if secrets else []
    return StoredScan(
        digest=row.digest,
        vulnerabilities=tuple(finding_of(f) for f in found) if vulnerabilities else None,
        secrets=tuple(secret_of(s) for s in stored_secrets) if secrets else None,
        os_info=os_from_json(row.os),
        scanned_at=analyses,
    )


def _first(digests: Sequence[str]) -> str:
    return next((d for d in digests if d), "the image")
