"""apk cataloger on Syft's alpine fixtures (syft/pkg/cataloger/alpine/testdata).

Expected values are the fixture records' own P/V/A/o/L fields and R file lists.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hullguard.catalog.apk import INSTALLED, ApkCataloger, split_licenses
from hullguard.model.package import OSInfo


@pytest.fixture(scope="module")
def alpine(syft_catalogers: Path) -> Path:
    return syft_catalogers / "alpine" / "testdata"


def test_single(alpine: Path) -> None:
    files = {INSTALLED: (alpine / "single").read_bytes()}
    [pkg] = ApkCataloger().catalog(files, OSInfo(id="alpine", version_id="3.12.0"))
    assert (pkg.name, pkg.version, pkg.architecture) == ("musl-utils", "1.1.24-r2", "x86_64")
    assert (pkg.source_name, pkg.source_version) == ("musl", "1.1.24-r2")
    assert pkg.licenses == ("MIT", "BSD", "GPL2+")
    assert pkg.purl == (
        "pkg:apk/alpine/musl-utils@1.1.24-r2?arch=x86_64&distro=alpine-3.12.0&upstream=musl"
    )
    assert pkg.owned_files == (
        "/sbin/ldconfig",
        "/usr/bin/getconf",
        "/usr/bin/getent",
        "/usr/bin/iconv",
        "/usr/bin/ldd",
    )


def test_multiple_real_database(alpine: Path) -> None:
    data = (alpine / "multiple-2" / "lib/apk/db/installed").read_bytes()
    pkgs = ApkCataloger().catalog({INSTALLED: data}, None)
    expected = [line[2:] for line in data.decode().splitlines() if line.startswith("P:")]
    assert [p.name for p in pkgs] == expected
    assert len(pkgs) == 14


def test_multiple_with_origin_and_files(alpine: Path) -> None:
    data = (alpine / "multiple-1" / "lib/apk/db/installed").read_bytes()
    pkgs = ApkCataloger().catalog({INSTALLED: data}, None)
    busybox = next(p for p in pkgs if p.name == "busybox-binsh")
    assert (busybox.version, busybox.source_name) == ("1.36.1-r15", "busybox")
    assert busybox.licenses == ("GPL-2.0-only",)
    assert busybox.owned_files == ("/bin/sh",)


def test_corrupt_database(alpine: Path) -> None:
    data = (alpine / "corrupt" / "lib/apk/db/installed").read_bytes()
    pkgs = ApkCataloger().catalog({INSTALLED: data}, None)
    assert [(p.name, p.version) for p in pkgs] == [("alpine-baselayout-data", "3.2.0-r22")]


def test_license_expression_kept_whole() -> None:
    assert split_licenses("MIT OR Apache-2.0") == ("MIT OR Apache-2.0",)
    assert split_licenses("MIT BSD") == ("MIT", "BSD")
    assert split_licenses("") == ()


def test_wants_only_the_database() -> None:
    assert ApkCataloger().wants("/lib/apk/db/installed")
    assert not ApkCataloger().wants("/lib/apk/db/installed.bak")
