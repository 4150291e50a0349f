""".NET cataloger: ``*.deps.json`` files written next to published applications.

Libraries of type ``package`` are NuGet packages; ``project`` (the application itself)
and ``reference`` entries are not.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from hullguard.catalog import purls
from hullguard.catalog.interface import CatalogerId, PathCataloger, PathHint
from hullguard.model.package import Evidence, OSInfo, Package, PackageType, meta_tuple


class DotnetDepsCataloger(PathCataloger):
    """NuGet packages a .NET application was published with."""

    name = CatalogerId.DOTNET
    version = 1

    path_hint = PathHint(suffixes=(".deps.json",))

    def wants(self, path: str) -> bool:
        return path.endswith(".deps.json")

    def catalog(self, files: Mapping[str, bytes], os_info: OSInfo | None) -> list[Package]:
        out: list[Package] = []
        for path in sorted(files):
            try:
                doc = json.loads(files[path])
            except (ValueError, UnicodeDecodeError):
                continue
            libraries = doc.get("libraries") if isinstance(doc, dict) else None
            if not isinstance(libraries, dict):
                continue
            for key, entry in sorted(libraries.items()):
                if not isinstance(entry, dict) or entry.get("type") != "package":
                    continue
                name, _, version = key.partition("/")
                if not name or not version:
                    continue
                out.append(
                    Package(
                        name=name,
                        version=version,
                        type=PackageType.NUGET,
                        purl=purls.nuget(name, version),
                        evidence=(Evidence(path),),
                        metadata=meta_tuple(
                            {
                                "sha512": str(entry.get("sha512") or ""),
                                "path": str(entry.get("path") or ""),
                            }
                        ),
                        found_by=CatalogerId.DOTNET,
                    )
                )
        return out
