"""Rust cataloger: dependency lists embedded by ``cargo auditable`` in ELF executables.

The ``.dep-v0`` section holds zlib-compressed JSON
(``{"packages": [{"name", "version", "source", "kind", "root"}]}``). Build-only
dependencies are not part of the binary and are left out.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

from hullguard.catalog import purls
from hullguard.catalog.elf import ElfCataloger, ElfFile
from hullguard.catalog.interface import CatalogerId, CatalogError
from hullguard.model.package import Evidence, Package, PackageType, meta_tuple

SECTION = ".dep-v0"
MAX_JSON_BYTES = 8 * 1024 * 1024


def read_audit_data(data: bytes) -> list[dict[str, Any]]:
    """The ``packages`` list of a cargo-auditable binary (empty when there is none)."""
    section = ElfFile(data).section(SECTION)
    if not section:
        return []
    try:
        inflater = zlib.decompressobj()
        raw = inflater.decompress(section, MAX_JSON_BYTES)
        doc = json.loads(raw)
    except (zlib.error, ValueError) as exc:
        raise CatalogError(f"cargo-auditable data is not valid zlib JSON: {exc}") from exc
    packages = doc.get("packages") if isinstance(doc, dict) else None
    return [p for p in packages if isinstance(p, dict)] if isinstance(packages, list) else []


class RustAuditableCataloger(ElfCataloger):
    """Crates compiled into cargo-auditable binaries."""

    name = CatalogerId.RUST
    version = 1

    def packages_from(self, data: bytes, path: str) -> list[Package]:
        return [p for p in (_package(e, path) for e in read_audit_data(data)) if p is not None]


def _package(entry: dict[str, Any], path: str) -> Package | None:
    name, version = entry.get("name"), entry.get("version")
    if not isinstance(name, str) or not isinstance(version, str) or not name or not version:
        return None
    if entry.get("kind") == "build":
        return None
    source = entry.get("source")
    return Package(
        name=name,
        version=version,
        type=PackageType.CARGO,
        purl=purls.cargo(name, version),
        evidence=(Evidence(path),),
        metadata=meta_tuple(
            {
                "source": source if isinstance(source, str) else "",
                "root": "true" if entry.get("root") is True else "",
            }
        ),
        found_by=CatalogerId.RUST,
    )
