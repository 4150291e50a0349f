"""Namespaces and names: how advisories and packages meet in the database.

Owns the lookup key: a namespace (an OSV ecosystem such as ``PyPI`` or ``Go``,
or a distro release such as ``debian:12`` / ``alpine:3.19``) plus a normalised
package name (PEP 503 for PyPI, lower case for npm/NuGet/Packagist, the source
package for distros). Also the Debian codename table and the distro
end-of-life table.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from hullguard.versions import VersionScheme, scheme_for_ecosystem

_PEP503 = re.compile(r"[-_.]+")

DEBIAN_CODENAMES: dict[str, str] = {
    "jessie": "8",
    "stretch": "9",
    "buster": "10",
    "bullseye": "11",
    "bookworm": "12",
    "trixie": "13",
    "forky": "14",
}

#: end of (LTS) security support per distro release; after it: end-of-life
DISTRO_EOL: dict[str, date] = {
    "debian:8": date(2020, 6, 30),
    "debian:9": date(2022, 6, 30),
    "debian:10": date(2024, 6, 30),
    "debian:11": date(2026, 8, 31),
    "debian:12": date(2028, 6, 30),
    "debian:13": date(2030, 6, 30),
    "alpine:3.14": date(2023, 5, 1),
    "alpine:3.15": date(2023, 11, 1),
    "alpine:3.16": date(2024, 5, 23),
    "alpine:3.17": date(2024, 11, 22),
    "alpine:3.18": date(2025, 5, 9),
    "alpine:3.19": date(2025, 11, 1),
    "alpine:3.20": date(2026, 4, 1),
    "alpine:3.21": date(2026, 11, 1),
    "alpine:3.22": date(2027, 5, 1),
    "alpine:3.23": date(2027, 11, 1),
}

#: OSV ecosystem (before ``:``) -> distro namespace prefix
_DISTRO_ECOSYSTEMS = {"Debian": "debian", "Alpine": "alpine", "Ubuntu": "ubuntu"}
_LOWER_NAMES = {"npm", "NuGet", "Packagist", "crates.io", "Pub", "Hex"}


def normalize_name(ecosystem: str, name: str) -> str:
    """Normalised package name for an OSV ecosystem."""
    if ecosystem == "PyPI":
        return _PEP503.sub("-", name).lower()
    if ecosystem in _LOWER_NAMES:
        return name.lower()
    return name


def distro_release(distro: str, version: str) -> str:
    """Release key of a distro version: Debian major (``12``), Alpine ``3.19``."""
    version = version.strip().removeprefix("v")
    if distro == "debian":
        version = DEBIAN_CODENAMES.get(version, version)
        return version.split(".", 1)[0]
    if distro == "alpine":
        return ".".join(version.split(".")[:2])
    if distro == "ubuntu":
        return ".".join(version.split(".")[:2])
    return version


def namespace_for_ecosystem(ecosystem: str) -> str:
    """``Debian:12`` -> ``debian:12``; ``Alpine:v3.19`` -> ``alpine:3.19``; ``PyPI`` kept."""
    base, _, rest = ecosystem.partition(":")
    distro = _DISTRO_ECOSYSTEMS.get(base)
    if distro is None:
        return base
    if not rest:
        return distro
    return f"{distro}:{distro_release(distro, rest.split(':', 1)[0])}"


@lru_cache(maxsize=1024)
@lru_cache(maxsize=1024)
def scheme_for_namespace(namespace: str) -> VersionScheme:
    """Version scheme of a namespace (``debian:12`` -> dpkg, ``PyPI`` -> PEP 440)."""
    distro = namespace.split(":", 1)[0]
    for eco, prefix in _DISTRO_ECOSYSTEMS.items():
        if prefix == distro:
            return scheme_for_ecosystem(eco)
    return scheme_for_ecosystem(namespace)
