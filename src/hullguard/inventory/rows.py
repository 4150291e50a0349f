"""Row <-> value conversions of the inventory tables (sans-I/O)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from hullguard.inventory.interface import StoredFinding, StoredPackage
from hullguard.inventory.names import normalise_name
from hullguard.match.keys import lookup_key
from hullguard.model.package import OSInfo, Package


def finding_from_row(row: Sequence[Any]) -> StoredFinding:
    return StoredFinding(
        row[0], row[1], row[2], row[3], tuple(json.loads(row[4])), row[5], tuple(json.loads(row[6]))
    )


def os_label(text: str) -> str:
    if not text:
        return ""
    ident, version, *_ = json.loads(text)
    return f"{ident} {version}".strip()


def package_row(image_id: int, p: Package, os_info: OSInfo | None) -> tuple[Any, ...]:
    key = lookup_key(p, os_info)
    first = p.evidence[0] if p.evidence else None
    layer = (first.layer_diff_id or "") if first else ""
    return (
        image_id, p.type.value, p.name, normalise_name(p.type.value, p.name), p.version, p.purl,
        p.source_name, p.source_version, layer, first.path if first else "",
        json.dumps([list(kv) for kv in p.metadata]),
        key.namespace if key else "", key.name if key else "",
    )  # fmt: skip


def stored_package(digest: str, row: Sequence[Any]) -> StoredPackage:
    """A :class:`StoredPackage` from a :meth:`InventoryStore.package_rows` row."""
    return StoredPackage(
        digest, row[1], row[2], row[3], row[4], row[7], row[8], row[5], row[6], row[9]
    )
