"""Package model: what a cataloger found, where, and under which identity (purl).

Everything here is a frozen value; collections are tuples sorted by a total key so
that the same input always gives the same output.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import NewType

#: a package URL per https://github.com/package-url/purl-spec
Purl = NewType("Purl", str)


class PackageType(StrEnum):
    """Ecosystem a package belongs to (decides purl type and version scheme)."""

    DEB = "deb"
    APK = "apk"
    RPM = "rpm"
    PYTHON = "python"
    NPM = "npm"
    GOLANG = "golang"
    GO_STDLIB = "go-stdlib"
    JAVA = "java"
    GEM = "gem"
    CARGO = "cargo"
    COMPOSER = "composer"
    NUGET = "nuget"
    BINARY = "binary"

    @property
    def is_os(self) -> bool:
        """True for packages managed by the distribution's package manager."""
        return self in _OS_TYPES


_OS_TYPES = frozenset({PackageType.DEB, PackageType.APK, PackageType.RPM})


@dataclass(frozen=True, order=True)
class Evidence:
    """One place a package was seen: a path and, once attributed, the layer that added it."""

    path: str
    layer_index: int | None = None
    layer_diff_id: str | None = None
    created_by: str | None = None


@dataclass(frozen=True)
class OSInfo:
    """The distribution an image (or root filesystem) is built from."""

    id: str
    version_id: str = ""
    version_codename: str = ""
    pretty_name: str = ""
    id_like: tuple[str, ...] = ()
    distroless: bool = False

    @property
    def distro_qualifier(self) -> str:
        """``ID-VERSION_ID`` as used in purl ``distro=`` qualifiers (``debian-12``)."""
        return f"{self.id}-{self.version_id}" if self.version_id else self.id

    @property
    def major_version(self) -> str:
        return self.version_id.split(".", 1)[0]


@dataclass(frozen=True)
class Package:
    """One installed package with its identity, origin and evidence.

    ``owned_files`` lists the files an OS package installed (from the package
    manager's own database); it is used to drop language packages that the OS
    package manager owns, and is not rendered.
    """

    name: str
    version: str
    type: PackageType
    purl: Purl
    licenses: tuple[str, ...] = ()
    source_name: str = ""
    source_version: str = ""
    architecture: str = ""
    evidence: tuple[Evidence, ...] = ()
    metadata: tuple[tuple[str, str], ...] = ()
    found_by: str = ""
    owned_files: tuple[str, ...] = field(default=(), compare=False, repr=False)

    def sort_key(self) -> tuple[str, str, str, str, tuple[Evidence, ...]]:
        """Total order used everywhere packages are listed."""
        return (self.type.value, self.name, self.version, self.purl, self.evidence)

    def meta(self, key: str) -> str:
        """The metadata value for ``key`` or ``""``."""
        for k, v in self.metadata:
            if k == key:
                return v
        return ""

    def with_evidence(self, evidence: tuple[Evidence, ...]) -> Package:
        return replace(self, evidence=tuple(sorted(set(evidence))))


def sorted_packages(packages: list[Package] | tuple[Package, ...]) -> list[Package]:
    """Packages in their canonical order."""
    return sorted(packages, key=Package.sort_key)


def meta_tuple(pairs: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """Metadata dict -> sorted tuple, dropping empty values."""
    return tuple(sorted((k, v) for k, v in pairs.items() if v))
