"""Rust cataloger: dependency lists embedded by ``cargo auditable`` in ELF executables.

The ``.dep-v0`` section holds zlib-compressed JSON
(``{"packages": [{"name", "version", "source", "kind", "root"}]}``). Build-only
dependencies are not part of the binary and are left out.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping
from typing import Any

from hullguard.catalog import purls
from hullguard.catalog.elf import ElfFile
from hullguard.catalog.interface import ELF_MAGIC, CatalogerId, CatalogError
from hullguard.model.package import Evidence, OSInfo, Package, PackageType, meta_tuple

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


class RustAuditableCataloger:
    """Crates compiled into cargo-auditable binaries."""

    name = CatalogerId.RUST
    version = 1
    sniffs = True

    def wants(self, path: str) -> bool:
        return False

    def sniff(self, head: bytes) -> bool:
        return head.startswith(ELF_MAGIC)

    def catalog(self, files: Mapping[str, bytes], os_info: OSInfo | None) -> list[Package]:
        out: list[Package] = []
        for path in sorted(files):
            if not files[path].startswith(ELF_MAGIC):
                continue
            try:
                entries = read_audit_data(files[path])
            except CatalogError:
                continue
            out.extend(p for p in (_package(e, path) for e in entries) if p is not None)
        return out


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
