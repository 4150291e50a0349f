"""apk cataloger: Alpine's ``/lib/apk/db/installed`` (also Wolfi and other apk distros).

Fields used: ``P`` name, ``V`` version, ``A`` arch, ``o`` origin (source package),
``L`` licence, ``F``/``R`` directory and file records for ownership.
"""

from __future__ import annotations

from collections.abc import Mapping

from hullguard.catalog import purls
from hullguard.catalog.interface import CatalogerId, PathCataloger, PathHint
from hullguard.model.package import Evidence, OSInfo, Package, PackageType, meta_tuple

INSTALLED = "/lib/apk/db/installed"
_EXPRESSION_WORDS = (" AND ", " OR ", " WITH ", " and ", " or ")


def split_licenses(value: str) -> tuple[str, ...]:
    """apk ``L:`` holds an SPDX expression or a space-separated list of names."""
    value = value.strip()
    if not value:
        return ()
    if any(word in value for word in _EXPRESSION_WORDS):
        return (value,)
    return tuple(value.split())


class ApkCataloger(PathCataloger):
    """Alpine packages from apk's installed database."""

    name = CatalogerId.APK
    version = 1

    path_hint = PathHint(prefixes=(INSTALLED,))

    def wants(self, path: str) -> bool:
        return path == INSTALLED

    def catalog(self, files: Mapping[str, bytes], os_info: OSInfo | None) -> list[Package]:
        data = files.get(INSTALLED)
        if data is None:
            return []
        return [
            _package(record, owned, os_info)
            for record, owned in _records(data.decode("utf-8", "replace"))
            if record.get("P") and record.get("V")
        ]


def _records(text: str) -> list[tuple[dict[str, str], tuple[str, ...]]]:
    out: list[tuple[dict[str, str], tuple[str, ...]]] = []
    record: dict[str, str] = {}
    owned: list[str] = []
    directory = ""
    for line in [*text.splitlines(), ""]:
        if not line.strip():
            if record:
                out.append((record, tuple(sorted(set(owned)))))
            record, owned, directory = {}, [], ""
            continue
        key, sep, value = line.partition(":")
        if not sep or len(key) != 1:
            continue
        if key == "F":
            directory = value
        elif key == "R":
            owned.append(f"/{directory}/{value}" if directory else f"/{value}")
        else:
            record.setdefault(key, value)
    return out


def _package(record: dict[str, str], owned: tuple[str, ...], os_info: OSInfo | None) -> Package:
    name, version = record["P"], record["V"]
    arch = record.get("A", "")
    origin = record.get("o", "")
    return Package(
        name=name,
        version=version,
        type=PackageType.APK,
        purl=purls.apk(name, version, arch, origin, os_info),
        licenses=split_licenses(record.get("L", "")),
        source_name=origin or name,
        source_version=version,
        architecture=arch,
        evidence=(Evidence(INSTALLED),),
        metadata=meta_tuple(
            {
                "maintainer": record.get("m", ""),
                "url": record.get("U", ""),
                "installedSize": record.get("I", ""),
                "pullChecksum": record.get("C", ""),
            }
        ),
        found_by=CatalogerId.APK,
        owned_files=owned,
    )
