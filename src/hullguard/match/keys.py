"""Where each package is looked up: namespace, normalised name, compared version.

Distro packages (deb, apk) are looked up by *source* package and distro
release (``debian:12`` from ``VERSION_ID`` or the codename, ``alpine:3.19``
from ``major.minor``) with the source version; language packages by their
ecosystem's normalised name. One function per package type, in a registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hullguard.model.package import OSInfo, Package, PackageType
from hullguard.vulndb.namespaces import distro_release, normalize_name


@dataclass(frozen=True)
class LookupKey:
    namespace: str
    name: str
    version: str


KeyFn = Callable[[Package, OSInfo | None], LookupKey | None]

_DISTROS = {PackageType.DEB: ("debian", "ubuntu"), PackageType.APK: ("alpine",)}


def distro_namespace(os_info: OSInfo | None) -> str:
    """``debian:12`` / ``alpine:3.19`` / ``ubuntu:22.04`` for a detected OS, else ``""``."""
    if os_info is None or os_info.id not in ("debian", "ubuntu", "alpine"):
        return ""
    version = os_info.version_id or os_info.version_codename
    if not version:
        return ""
    return f"{os_info.id}:{distro_release(os_info.id, version)}"


def _distro(package: Package, os_info: OSInfo | None) -> LookupKey | None:
    namespace = distro_namespace(os_info)
    if not namespace or namespace.split(":", 1)[0] not in _DISTROS[package.type]:
        return None
    return LookupKey(
        namespace,
        package.source_name or package.name,
        package.source_version or package.version,
    )


def _language(ecosystem: str, name_of: Callable[[Package], str] | None = None) -> KeyFn:
    def key(package: Package, os_info: OSInfo | None) -> LookupKey:
        name = name_of(package) if name_of else package.name
        return LookupKey(ecosystem, normalize_name(ecosystem, name), package.version)

    return key


def _maven_name(package: Package) -> str:
    group = package.meta("groupId")
    return f"{group}:{package.name}" if group else package.name


KEY_FUNCTIONS: dict[PackageType, KeyFn] = {
    PackageType.DEB: _distro,
    PackageType.APK: _distro,
    PackageType.PYTHON: _language("PyPI"),
    PackageType.NPM: _language("npm"),
    PackageType.GOLANG: _language("Go"),
    PackageType.GO_STDLIB: _language("Go", lambda p: "stdlib"),
    PackageType.JAVA: _language("Maven", _maven_name),
    PackageType.GEM: _language("RubyGems"),
    PackageType.CARGO: _language("crates.io"),
    PackageType.COMPOSER: _language("Packagist"),
    PackageType.NUGET: _language("NuGet"),
}


def lookup_key(package: Package, os_info: OSInfo | None) -> LookupKey | None:
    """The database key of a package, or None when no source covers its type."""
    fn = KEY_FUNCTIONS.get(package.type)
    return fn(package, os_info) if fn else None
