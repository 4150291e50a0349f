"""rpm cataloger on go-rpmdb's real databases (go-rpmdb/pkg/testdata).

Each ``packages.csv`` is ``rpm -qa --queryformat`` output taken in the image the
database came from; ``curl.json`` / ``curl_file_names.json`` are go-rpmdb's goldens.
rpm lists the ``gpg-pubkey`` pseudo-package; hullguard does not report it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hullguard.catalog.interface import CatalogError
from hullguard.catalog.rpm import RpmCataloger
from hullguard.catalog.rpmdb import bdb_blobs, ndb_blobs, sqlite_blobs
from hullguard.catalog.rpmheader import parse_header
from hullguard.model.package import OSInfo, PackageType

CSV_FIELDS = ("epoch", "name", "version", "release", "arch", "sourcerpm", "size", "license")


def _expected(csv: Path) -> set[tuple[str, ...]]:
    rows = set()
    for line in csv.read_text(encoding="utf-8").splitlines():
        fields = line.split("¶")
        if fields[1] == "gpg-pubkey":
            continue
        rows.add(tuple(fields[: len(CSV_FIELDS)]))
    return rows


def _actual(path: str, data: bytes) -> set[tuple[str, ...]]:
    rows = set()
    for pkg in RpmCataloger().catalog({path: data}, None):
        epoch, _, rest = pkg.version.rpartition(":")
        version, _, release = rest.rpartition("-")
        rows.add(
            (
                epoch,
                pkg.name,
                version,
                release,
                pkg.architecture,
                pkg.meta("sourceRpm"),
                pkg.meta("size"),
                pkg.licenses[0] if pkg.licenses else "",
            )
        )
    return rows


@pytest.mark.parametrize(
    ("fixture", "db_path"),
    [
        ("amazonlinux2023-plain/rpmdb.sqlite", "/var/lib/rpm/rpmdb.sqlite"),
        ("sle15-bci/Packages.db", "/usr/lib/sysimage/rpm/Packages.db"),
    ],
)
def test_database_matches_rpm_qa(rpmdb_testdata: Path, fixture: str, db_path: str) -> None:
    db = rpmdb_testdata / fixture
    expected = _expected(db.parent / "packages.csv")
    actual = _actual(db_path, db.read_bytes())
    assert actual == expected
    assert len(actual) in (102, 36)


def test_mariner_curl_golden(rpmdb_testdata: Path) -> None:
    root = rpmdb_testdata / "cbl-mariner-2.0"
    golden = json.loads((root / "curl.json").read_text())
    names = json.loads((root / "curl_file_names.json").read_text())
    pkgs = RpmCataloger().catalog(
        {"/var/lib/rpm/rpmdb.sqlite": (root / "rpmdb.sqlite").read_bytes()},
        OSInfo(id="mariner", version_id="2.0"),
    )
    [curl] = [p for p in pkgs if p.name == "curl"]
    assert curl.version == f"{golden['Version']}-{golden['Release']}"
    assert curl.architecture == golden["Arch"]
    assert curl.meta("sourceRpm") == golden["SourceRpm"]
    assert curl.meta("vendor") == golden["Vendor"]
    assert curl.meta("sigmd5") == golden["SigMD5"]
    assert curl.licenses == (golden["License"],)
    assert curl.owned_files == tuple(sorted(names))
    assert (curl.source_name, curl.source_version) == ("curl", "7.76.0-6.cm2")
    assert curl.type is PackageType.RPM
    assert curl.purl == (
        "pkg:rpm/mariner/curl@7.76.0-6.cm2?arch=x86_64&distro=mariner-2.0"
        "&upstream=curl-7.76.0-6.cm2.src.rpm"
    )


def test_epoch_in_version_and_purl(rpmdb_testdata: Path) -> None:
    data = (rpmdb_testdata / "amazonlinux2023-plain/rpmdb.sqlite").read_bytes()
    pkgs = RpmCataloger().catalog({"/var/lib/rpm/rpmdb.sqlite": data}, None)
    [ssl] = [p for p in pkgs if p.name == "openssl-libs"]
    assert ssl.version == "1:3.0.8-1.amzn2023.0.4"
    assert "epoch=1" in ssl.purl and "@3.0.8-1.amzn2023.0.4" in ssl.purl


def test_berkeley_db(rpmdb_testdata: Path) -> None:
    blobs = list(bdb_blobs((rpmdb_testdata / "libuuid/Packages").read_bytes()))
    headers = [parse_header(b) for b in blobs]
    assert [(h.name, h.version, h.release, h.arch) for h in headers] == [
        ("libuuid", "2.32.1", "42.el8_8", "x86_64")
    ]
    assert headers[0].source_rpm == "util-linux-2.32.1-42.el8_8.src.rpm"


def test_raw_header_blob(rpmdb_testdata: Path) -> None:
    header = parse_header((rpmdb_testdata / "blob.bin").read_bytes())
    assert (header.name, header.version, header.release) == (
        "publicsuffix-list-dafsa",
        "20210518",
        "2.fc35",
    )


@pytest.mark.parametrize("reader", [sqlite_blobs, bdb_blobs, ndb_blobs])
def test_garbage_raises_catalog_error(reader: object) -> None:
    with pytest.raises(CatalogError):
        list(reader(b"not a database" * 100))  # type: ignore[operator]


def test_truncated_header_raises() -> None:
    with pytest.raises(CatalogError):
        parse_header(b"\x00\x00\x00\x05\x00\x00\x10\x00")


def test_wants_all_locations() -> None:
    c = RpmCataloger()
    for path in (
        "/var/lib/rpm/Packages",
        "/var/lib/rpm/rpmdb.sqlite",
        "/usr/lib/sysimage/rpm/Packages.db",
        "/usr/share/rpm/Packages",
    ):
        assert c.wants(path), path
    assert not c.wants("/home/user/Packages")
