"""Package URLs per the purl spec, built with ``packageurl-python``.

One function per ecosystem so each knows its own namespace/qualifier rules:
distro qualifiers for OS packages (``distro=debian-12``, ``arch=``, ``upstream=``,
``epoch=`` for rpm), PEP 503 names for PyPI, ``%40`` scopes for npm.
"""

from __future__ import annotations

import re

from hullguard.model.package import OSInfo, Purl

_PEP503 = re.compile(r"[-_.]+")


def pep503(name: str) -> str:
    """PEP 503 normalised project name."""
    return _PEP503.sub("-", name).lower()


def _build(
    type_: str,
    name: str,
    version: str,
    namespace: str | None = None,
    qualifiers: dict[str, str] | None = None,
) -> Purl:
    from packageurl import PackageURL  # here: ~4 ms of import, not needed by the walk

    quals = {k: v for k, v in (qualifiers or {}).items() if v}
    return Purl(
        PackageURL(
            type=type_,
            namespace=namespace or None,
            name=name,
            version=version or None,
            qualifiers=quals or None,
        ).to_string()
    )


def _distro_quals(os_info: OSInfo | None) -> dict[str, str]:
    return {"distro": os_info.distro_qualifier} if os_info and os_info.id else {}


def deb(name: str, version: str, arch: str, upstream: str, os_info: OSInfo | None) -> Purl:
    """``upstream`` is the dpkg ``Source:`` field as written (``src`` or ``src@ver``), or ``""``."""
    namespace = os_info.id if os_info and os_info.id else "debian"
    quals = {"arch": arch, "upstream": upstream, **_distro_quals(os_info)}
    return _build("deb", name, version, namespace, quals)


def apk(name: str, version: str, arch: str, origin: str, os_info: OSInfo | None) -> Purl:
    namespace = os_info.id if os_info and os_info.id else "alpine"
    quals = {"arch": arch, "upstream": origin if origin != name else "", **_distro_quals(os_info)}
    return _build("apk", name, version, namespace, quals)


def rpm(
    name: str,
    version: str,
    release: str,
    epoch: int | None,
    arch: str,
    source_rpm: str,
    os_info: OSInfo | None,
) -> Purl:
    namespace = os_info.id if os_info and os_info.id else ""
    quals = {
        "arch": arch,
        "epoch": str(epoch) if epoch else "",
        "upstream": source_rpm,
        **_distro_quals(os_info),
    }
    full = f"{version}-{release}" if release else version
    return _build("rpm", name, full, namespace, quals)


def pypi(name: str, version: str) -> Purl:
    return _build("pypi", pep503(name), version)


def npm(name: str, version: str) -> Purl:
    if name.startswith("@") and "/" in name:
        scope, base = name.split("/", 1)
        return _build("npm", base, version, scope)
    return _build("npm", name, version)


def golang(module: str, version: str) -> Purl:
    namespace, _, base = module.rpartition("/")
    return _build("golang", base, version, namespace)


def maven(group: str, artifact: str, version: str) -> Purl:
    return _build("maven", artifact, version, group)


def gem(name: str, version: str) -> Purl:
    return _build("gem", name, version)


def cargo(name: str, version: str) -> Purl:
    return _build("cargo", name, version)


def composer(name: str, version: str) -> Purl:
    vendor, _, base = name.rpartition("/")
    return _build("composer", base, version, vendor)


def nuget(name: str, version: str) -> Purl:
    return _build("nuget", name, version)


def generic(name: str, version: str) -> Purl:
    return _build("generic", name, version)
