"""Namespaces, name normalisation and distro release keys."""

from __future__ import annotations

import pytest

from hullguard.match.keys import distro_namespace, lookup_key
from hullguard.model.package import OSInfo, Package, PackageType, Purl
from hullguard.versions import VersionScheme
from hullguard.vulndb.namespaces import (
    namespace_for_ecosystem,
    normalize_name,
    scheme_for_namespace,
)


@pytest.mark.parametrize(
    ("ecosystem", "namespace"),
    [
        ("Debian:12", "debian:12"),
        ("Debian:bookworm", "debian:12"),
        ("Alpine:v3.19", "alpine:3.19"),
        ("Ubuntu:22.04:LTS", "ubuntu:22.04"),
        ("PyPI", "PyPI"),
        ("Go", "Go"),
    ],
)
def test_namespace_for_ecosystem(ecosystem: str, namespace: str) -> None:
    assert namespace_for_ecosystem(ecosystem) == namespace


def test_names_and_schemes() -> None:
    assert normalize_name("PyPI", "Zope.Interface_x") == "zope-interface-x"
    assert normalize_name("npm", "@Scope/Pkg") == "@scope/pkg"
    assert normalize_name("Go", "github.com/Foo/bar") == "github.com/Foo/bar"
    assert scheme_for_namespace("debian:12") is VersionScheme.DPKG
    assert scheme_for_namespace("alpine:3.19") is VersionScheme.APK
    assert scheme_for_namespace("PyPI") is VersionScheme.PEP440


def test_distro_release_keys() -> None:
    assert distro_namespace(OSInfo("debian", "12.5")) == "debian:12"
    assert distro_namespace(OSInfo("debian", "", "trixie")) == "debian:13"
    assert distro_namespace(OSInfo("alpine", "3.19.1")) == "alpine:3.19"
    assert distro_namespace(OSInfo("fedora", "40")) == ""
    deb = Package("libc6", "2.36-9+deb12u1", PackageType.DEB, Purl("pkg:deb/debian/libc6"),
                  source_name="glibc", source_version="2.36-9+deb12u1")  # fmt: skip
    key = lookup_key(deb, OSInfo("debian", "12"))
    assert key is not None and (key.namespace, key.name) == ("debian:12", "glibc")
    assert lookup_key(deb, OSInfo("alpine", "3.19")) is None  # a deb on Alpine: no data
