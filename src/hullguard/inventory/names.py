"""Package identity for fleet queries: normalised names, ecosystem prefixes, version schemes."""

from __future__ import annotations

import re

from hullguard.errors import HullguardError
from hullguard.image.reference import parse_reference
from hullguard.model.package import PackageType
from hullguard.versions import VersionScheme

_PEP503 = re.compile(r"[-_.]+")

#: ``who-has`` ecosystem prefixes (and purl types) -> the package types they select
ECOSYSTEMS: dict[str, frozenset[PackageType]] = {
    "deb": frozenset({PackageType.DEB}),
    "debian": frozenset({PackageType.DEB}),
    "apk": frozenset({PackageType.APK}),
    "alpine": frozenset({PackageType.APK}),
    "rpm": frozenset({PackageType.RPM}),
    "pypi": frozenset({PackageType.PYTHON}),
    "python": frozenset({PackageType.PYTHON}),
    "npm": frozenset({PackageType.NPM}),
    "go": frozenset({PackageType.GOLANG, PackageType.GO_STDLIB}),
    "golang": frozenset({PackageType.GOLANG, PackageType.GO_STDLIB}),
    "maven": frozenset({PackageType.JAVA}),
    "java": frozenset({PackageType.JAVA}),
    "gem": frozenset({PackageType.GEM}),
    "rubygems": frozenset({PackageType.GEM}),
    "cargo": frozenset({PackageType.CARGO}),
    "composer": frozenset({PackageType.COMPOSER}),
    "nuget": frozenset({PackageType.NUGET}),
    "binary": frozenset({PackageType.BINARY}),
    "generic": frozenset({PackageType.BINARY}),
}

#: package type -> version scheme its versions are compared with
SCHEMES: dict[PackageType, VersionScheme] = {
    PackageType.DEB: VersionScheme.DPKG,
    PackageType.APK: VersionScheme.APK,
    PackageType.RPM: VersionScheme.RPM,
    PackageType.PYTHON: VersionScheme.PEP440,
    PackageType.NPM: VersionScheme.NPM,
    PackageType.GOLANG: VersionScheme.GOLANG,
    PackageType.GO_STDLIB: VersionScheme.GOLANG,
    PackageType.JAVA: VersionScheme.MAVEN,
    PackageType.GEM: VersionScheme.RUBYGEMS,
    PackageType.CARGO: VersionScheme.SEMVER,
    PackageType.COMPOSER: VersionScheme.COMPOSER,
    PackageType.NUGET: VersionScheme.NUGET,
    PackageType.BINARY: VersionScheme.GENERIC,
}


def canonical_ref(text: str) -> str:
    """``nginx:1.27`` -> ``docker.io/library/nginx:1.27`` (digest dropped); others as given."""
    try:
        ref = parse_reference(text)
    except HullguardError:
        return text.strip()
    reg = ref.registry
    if reg is None:
        return ref.raw
    if reg.tag is None and reg.digest is not None:
        return f"{reg.registry}/{reg.repository}@{reg.digest}"
    return f"{reg.registry}/{reg.repository}:{reg.tag or 'latest'}"


def normalise_name(package_type: str, name: str) -> str:
    """The name ``who-has`` matches on: PEP 503 for Python, lower case otherwise."""
    if package_type == PackageType.PYTHON.value:
        return _PEP503.sub("-", name).lower()
    return name.lower()
