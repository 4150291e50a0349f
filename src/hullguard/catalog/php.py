"""PHP cataloger: Composer's ``vendor/composer/installed.json`` (v1 list and v2 object)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from hullguard.catalog import purls
from hullguard.catalog.interface import CatalogerId, PathCataloger, PathHint
from hullguard.model.package import Evidence, OSInfo, Package, PackageType, meta_tuple

SUFFIX = "/vendor/composer/installed.json"


def installed_entries(data: bytes) -> list[dict[str, Any]]:
    """Package entries of either installed.json format."""
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return []
    entries = doc.get("packages") if isinstance(doc, dict) else doc
    return [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []


class ComposerInstalledCataloger(PathCataloger):
    """PHP packages installed by Composer."""

    name = CatalogerId.PHP
    version = 1

    path_hint = PathHint(suffixes=(SUFFIX,))

    def wants(self, path: str) -> bool:
        return path.endswith(SUFFIX)

    def catalog(self, files: Mapping[str, bytes], os_info: OSInfo | None) -> list[Package]:
        out: list[Package] = []
        for path in sorted(files):
            for entry in installed_entries(files[path]):
                name, version = entry.get("name"), entry.get("version")
                if not isinstance(name, str) or not isinstance(version, str):
                    continue
                if not name or not version:
                    continue
                licenses = entry.get("license")
                out.append(
                    Package(
                        name=name,
                        version=version,
                        type=PackageType.COMPOSER,
                        purl=purls.composer(name, version),
                        licenses=tuple(x for x in licenses if isinstance(x, str))
                        if isinstance(licenses, list)
                        else (),
                        evidence=(Evidence(path),),
                        metadata=meta_tuple({"type": str(entry.get("type") or "")}),
                        found_by=CatalogerId.PHP,
                    )
                )
        return out
