"""The contract every version scheme implements, and the names that select one.

Owns: :class:`VersionScheme` (one value per comparison rule set), the
:class:`Comparator` protocol (``parse`` to a sort key, ``compare`` two strings),
the :class:`InvalidVersion` error (a version that does not parse is reported as
skipped, never guessed), and the mappings from OSV ecosystem names and purl
types to schemes. The registry of implementations is ``registry.COMPARATORS``
(kept out of this module so implementations can import it without a cycle).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol, TypeAlias, runtime_checkable

from hullguard.errors import HullguardError

#: A parsed version. Keys of one scheme compare with ``<``/``==`` among
#: themselves (mostly plain tuples; never compare keys of two schemes).
VersionKey: TypeAlias = Any


class VersionScheme(StrEnum):
    """A set of version syntax and ordering rules."""

    DPKG = "dpkg"
    RPM = "rpm"
    APK = "apk"
    PEP440 = "pep440"
    SEMVER = "semver"
    NPM = "npm"
    GOLANG = "golang"
    MAVEN = "maven"
    RUBYGEMS = "rubygems"
    NUGET = "nuget"
    COMPOSER = "composer"
    GENERIC = "generic"


class InvalidVersion(HullguardError):
    """A version string (or range) does not follow its scheme's syntax.

    Callers report the package or advisory as skipped; nothing is guessed.
    """

    exit_code = 3

    def __init__(self, scheme: VersionScheme | str, version: str, reason: str) -> None:
        self.scheme = str(scheme)
        self.version = version
        self.reason = reason
        super().__init__(
            f"{scheme} version {version!r} is not valid: {reason}",
            hint="the package or advisory is reported as skipped; "
            "check the version string or the scheme chosen for its ecosystem",
        )


@runtime_checkable
class Comparator(Protocol):
    """Parses and orders the versions of one scheme."""

    @property
    def scheme(self) -> VersionScheme:
        """The scheme this comparator implements."""
        ...

    def parse(self, version: str) -> VersionKey:
        """Return a sort key for ``version``; raise :class:`InvalidVersion`."""
        ...

    def compare(self, a: str, b: str) -> int:
        """Return -1, 0 or 1 as ``a`` sorts before, equal to, or after ``b``."""
        ...


def sign(a: VersionKey, b: VersionKey) -> int:
    """Three-way comparison of two keys of the same scheme."""
    if a < b:
        return -1
    if b < a:
        return 1
    return 0


@dataclass(frozen=True)
class KeyComparator:
    """A :class:`Comparator` built from a (cached) parse function."""

    scheme: VersionScheme
    parse_fn: Callable[[str], VersionKey]

    def parse(self, version: str) -> VersionKey:
        """Sort key of ``version``; raises :class:`InvalidVersion`."""
        return self.parse_fn(version)

    def compare(self, a: str, b: str) -> int:
        """Three-way comparison of two version strings."""
        return sign(self.parse_fn(a), self.parse_fn(b))


#: parse caches hold this many distinct strings per scheme
PARSE_CACHE_SIZE = 1 << 17


#: OSV ``affected[].package.ecosystem`` (the part before any ``:``) -> scheme.
OSV_ECOSYSTEMS: dict[str, VersionScheme] = {
    "AlmaLinux": VersionScheme.RPM,
    "Alpine": VersionScheme.APK,
    "Alpaquita": VersionScheme.APK,
    "Android": VersionScheme.GENERIC,
    "Bitnami": VersionScheme.SEMVER,
    "BellSoft Hardened Containers": VersionScheme.APK,
    "Chainguard": VersionScheme.APK,
    "CRAN": VersionScheme.GENERIC,
    "crates.io": VersionScheme.SEMVER,
    "Debian": VersionScheme.DPKG,
    "GHC": VersionScheme.GENERIC,
    "Go": VersionScheme.GOLANG,
    "Hackage": VersionScheme.GENERIC,
    "Hex": VersionScheme.SEMVER,
    "Linux": VersionScheme.GENERIC,
    "Mageia": VersionScheme.RPM,
    "Maven": VersionScheme.MAVEN,
    "MinimOS": VersionScheme.APK,
    "npm": VersionScheme.NPM,
    "NuGet": VersionScheme.NUGET,
    "openEuler": VersionScheme.RPM,
    "openSUSE": VersionScheme.RPM,
    "OSS-Fuzz": VersionScheme.GENERIC,
    "Packagist": VersionScheme.COMPOSER,
    "Photon OS": VersionScheme.RPM,
    "Pub": VersionScheme.SEMVER,
    "PyPI": VersionScheme.PEP440,
    "Red Hat": VersionScheme.RPM,
    "Rocky Linux": VersionScheme.RPM,
    "RubyGems": VersionScheme.RUBYGEMS,
    "SUSE": VersionScheme.RPM,
    "SwiftURL": VersionScheme.SEMVER,
    "Ubuntu": VersionScheme.DPKG,
    "Wolfi": VersionScheme.APK,
}

#: purl ``type`` -> scheme (https://github.com/package-url/purl-spec types).
PURL_TYPES: dict[str, VersionScheme] = {
    "apk": VersionScheme.APK,
    "cargo": VersionScheme.SEMVER,
    "composer": VersionScheme.COMPOSER,
    "deb": VersionScheme.DPKG,
    "gem": VersionScheme.RUBYGEMS,
    "generic": VersionScheme.GENERIC,
    "golang": VersionScheme.GOLANG,
    "hex": VersionScheme.SEMVER,
    "maven": VersionScheme.MAVEN,
    "npm": VersionScheme.NPM,
    "nuget": VersionScheme.NUGET,
    "pub": VersionScheme.SEMVER,
    "pypi": VersionScheme.PEP440,
    "rpm": VersionScheme.RPM,
    "swift": VersionScheme.SEMVER,
}


def scheme_for_ecosystem(ecosystem: str) -> VersionScheme:
    """Scheme of an OSV ecosystem such as ``Debian:12`` or ``PyPI``.

    Unknown ecosystems get :attr:`VersionScheme.GENERIC`, which accepts only
    plain dotted numbers, so nothing outside its rules is ever guessed.
    """
    base = ecosystem.split(":", 1)[0].strip()
    return OSV_ECOSYSTEMS.get(base, VersionScheme.GENERIC)


def scheme_for_purl_type(purl_type: str) -> VersionScheme:
    """Scheme of a purl type (``deb``, ``pypi``, ...); unknown types are generic."""
    return PURL_TYPES.get(purl_type.lower(), VersionScheme.GENERIC)
