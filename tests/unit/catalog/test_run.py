"""The sans-I/O driver: file selection, ownership filtering, merging, layer attribution."""

from __future__ import annotations

from hullguard.catalog.interface import CatalogerId
from hullguard.catalog.ownership import drop_os_owned
from hullguard.catalog.registry import CATALOGERS, cache_key, catalogers
from hullguard.catalog.run import (
    attribute_layers,
    catalog_files,
    is_wanted,
    merge_duplicates,
    sniff_candidate,
    sniff_wanted,
)
from hullguard.model.package import Evidence, Package, PackageType, Purl

STATUS = (
    b"Package: python3-yaml\nStatus: install ok installed\nVersion: 6.0-3+b2\n"
    b"Architecture: amd64\nSource: pyyaml\n"
)
YAML_PKG_INFO = "/usr/lib/python3/dist-packages/PyYAML-6.0.egg-info/PKG-INFO"


def _files() -> dict[str, bytes]:
    return {
        "/etc/os-release": b'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n',
        "/var/lib/dpkg/status": STATUS,
        "/var/lib/dpkg/info/python3-yaml:amd64.list": f"/.\n/usr\n{YAML_PKG_INFO}\n".encode(),
        YAML_PKG_INFO: b"Metadata-Version: 2.1\nName: PyYAML\nVersion: 6.0\n",
        "/opt/venv/lib/python3.11/site-packages/PyYAML-6.0.1.dist-info/METADATA": (
            b"Metadata-Version: 2.1\nName: PyYAML\nVersion: 6.0.1\n"
        ),
    }


def test_os_owned_python_package_is_the_deb() -> None:
    result = catalog_files(_files())
    assert result.os_info is not None and result.os_info.distro_qualifier == "debian-12"
    got = [(p.type, p.name, p.version) for p in result.packages]
    assert got == [
        (PackageType.DEB, "python3-yaml", "6.0-3+b2"),
        (PackageType.PYTHON, "PyYAML", "6.0.1"),  # the venv copy is not dpkg's
    ]
    deb = result.packages[0]
    assert deb.purl == (
        "pkg:deb/debian/python3-yaml@6.0-3%2Bb2?arch=amd64&distro=debian-12&upstream=pyyaml"
    )


def test_drop_os_owned_keeps_partially_owned() -> None:
    owned = Package("a", "1", PackageType.DEB, Purl("pkg:deb/debian/a@1"), owned_files=("/x",))
    lang = Package("b", "1", PackageType.NPM, Purl("pkg:npm/b@1"), evidence=(Evidence("/x"),))
    mixed = Package(
        "c", "1", PackageType.NPM, Purl("pkg:npm/c@1"), evidence=(Evidence("/x"), Evidence("/y"))
    )
    assert [p.name for p in drop_os_owned([owned, lang, mixed])] == ["a", "c"]


def test_merge_duplicates_joins_evidence() -> None:
    one = Package("b", "1", PackageType.NPM, Purl("pkg:npm/b@1"), evidence=(Evidence("/2"),))
    two = Package("b", "1", PackageType.NPM, Purl("pkg:npm/b@1"), evidence=(Evidence("/1"),))
    [merged] = merge_duplicates([one, two])
    assert [e.path for e in merged.evidence] == ["/1", "/2"]


def test_attribute_layers() -> None:
    pkg = Package("b", "1", PackageType.NPM, Purl("pkg:npm/b@1"), evidence=(Evidence("/p"),))
    [out] = attribute_layers([pkg], lambda p: (2, "sha256:ab", "RUN npm ci") if p == "/p" else None)
    assert out.evidence == (Evidence("/p", 2, "sha256:ab", "RUN npm ci"),)


def test_selection() -> None:
    selected = catalogers()
    assert is_wanted("/etc/os-release", selected)
    assert is_wanted("/lib/apk/db/installed", selected)
    assert not is_wanted("/etc/passwd", selected)
    assert sniff_wanted(b"\x7fELF\x02\x01", selected)
    assert not sniff_wanted(b"#!/bin/sh", selected)
    assert sniff_candidate(0o755) and not sniff_candidate(0o644)


def test_registry_and_cache_key() -> None:
    assert set(CATALOGERS) == set(CatalogerId)
    only = catalogers([CatalogerId.APK])
    assert [c.name for c in only] == [CatalogerId.APK]
    assert cache_key(only) == "apk@1"
