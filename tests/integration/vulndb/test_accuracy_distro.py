"""Accuracy on real distro data: Alpine secdb and Debian OVAL.

* The real apk database of syft's ``alpine/testdata/multiple-2`` (Alpine 3.16,
  openssl 1.1.1q) against the v3.16 secdb: expected = every (origin, CVE)
  whose secfixes version is newer than the installed one, read from the raw
  JSON here.
* A dpkg status with real, older bookworm versions (the versions bookworm
  shipped before its point releases) against the bookworm OVAL: expected =
  every ``"<src> DPKG is earlier than <v>"`` criterion *comment* (a different
  path through the XML than the importer's test/object/state ids) for which
  ``dpkg --compare-versions installed lt v`` (the reference tool) holds.
"""

from __future__ import annotations

import bz2
import json
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from hullguard.catalog.apk import ApkCataloger
from hullguard.catalog.dpkg import DpkgCataloger
from hullguard.match import FindingStatus, VulnOptions, scan_packages
from hullguard.model.package import OSInfo
from hullguard.versions import comparator_for
from hullguard.versions.interface import VersionScheme
from hullguard.vulndb import VulnDB

OPTIONS = VulnOptions(today=date(2024, 1, 1))
ALPINE = OSInfo("alpine", "3.16.2")
DEBIAN = OSInfo("debian", "12", "bookworm")

STATUS = """\
Package: libssl3
Status: install ok installed
Architecture: amd64
Source: openssl
Version: 3.0.8-1

Package: libc6
Status: install ok installed
Architecture: amd64
Source: glibc
Version: 2.36-8

Package: curl
Status: install ok installed
Architecture: amd64
Version: 7.88.1-8

Package: libtiff6
Status: install ok installed
Architecture: amd64
Source: tiff
Version: 4.5.0-5

Package: libxml2
Status: install ok installed
Architecture: amd64
Version: 2.9.14+dfsg-1.1

Package: perl-base
Status: install ok installed
Architecture: amd64
Source: perl
Version: 5.36.0-7
"""


def test_alpine_multiple_2_against_secdb(
    full_db: VulnDB, fixtures_dir: Path, vulndata: Path
) -> None:
    installed = (
        fixtures_dir / "syft/syft/pkg/cataloger/alpine/testdata/multiple-2/lib/apk/db/installed"
    )
    packages = ApkCataloger().catalog({"/lib/apk/db/installed": installed.read_bytes()}, ALPINE)
    apk = comparator_for(VersionScheme.APK)
    expected = set()
    for repo in ("main", "community"):
        doc = json.loads((vulndata / f"distro/alpine-secdb/v3.16/{repo}.json").read_bytes())
        fixes = {p["pkg"]["name"]: p["pkg"].get("secfixes") or {} for p in doc["packages"]}
        for pkg in packages:
            for fixed, ids in fixes.get(pkg.source_name, {}).items():
                if fixed != "0" and apk.compare(pkg.version, fixed) < 0:
                    expected |= {(pkg.name, v) for text in ids for v in text.split()}
    report = scan_packages(packages, ALPINE, full_db, OPTIONS)
    got = {(f.package_name, f.vuln_id) for f in report.findings}
    assert got == expected
    assert any(name == "libssl1.1" for name, _ in got)
    assert {f.namespace for f in report.findings} == {"alpine:3.16"}
    assert all(f.status is FindingStatus.FIXED for f in report.findings)


_CRITERION = re.compile(
    r'<title>(\S+) (\S+)</title>.*?comment="(\S+) DPKG is earlier than ([^"]+)"', re.S
)


def _dpkg_lt(a: str, b: str) -> bool:
    return subprocess.run(["dpkg", "--compare-versions", a, "lt", b]).returncode == 0


@pytest.mark.skipif(shutil.which("dpkg") is None, reason="dpkg not installed")
def test_historical_bookworm_status_against_oval(
    full_db: VulnDB, vulndata: Path, tmp_path: Path
) -> None:
    packages = DpkgCataloger().catalog({"/var/lib/dpkg/status": STATUS.encode()}, DEBIAN)
    sources = {p.source_name: p for p in packages}
    xml = bz2.decompress(
        (vulndata / "distro/debian-oval/oval-definitions-bookworm.xml.bz2").read_bytes()
    )
    expected = set()
    for definition in xml.decode().split("<definition ")[1:]:
        m = _CRITERION.search(definition)
        if m is None or m[3] not in sources or m[4] == "0":
            continue
        pkg = sources[m[3]]
        if _dpkg_lt(pkg.source_version, m[4]):
            expected.add((pkg.name, m[1]))
    report = scan_packages(packages, DEBIAN, full_db, OPTIONS)
    got = {(f.package_name, f.vuln_id) for f in report.findings}
    assert got == expected
    assert len(got) > 10
    assert {f.namespace for f in report.findings} == {"debian:12"}
    assert {f.data_source for f in report.findings} == {"debian-oval"}
