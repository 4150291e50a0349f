"""dpkg cataloger on Syft's debian fixtures (syft/pkg/cataloger/debian/testdata).

Expected values are read off the fixture stanzas themselves; copyright licences follow
Syft's own expectations in ``parse_copyright_test.go`` (liblzma5, libaudit-common, and
``nil`` for files without the DEP-5 Format header).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hullguard.catalog.deb822 import copyright_licenses, stanzas
from hullguard.catalog.dpkg import DpkgCataloger
from hullguard.model.package import OSInfo, PackageType

DEBIAN_12 = OSInfo(id="debian", version_id="12")


@pytest.fixture(scope="module")
def debian(syft_catalogers: Path) -> Path:
    return syft_catalogers / "debian" / "testdata"


def _status_d(debian: Path, name: str) -> dict[str, bytes]:
    data = (debian / "var/lib/dpkg/status.d" / name).read_bytes()
    return {f"/var/lib/dpkg/status.d/{name}": data}


def test_image_dpkg_status(debian: Path) -> None:
    root = debian / "image-dpkg"
    files = {
        "/var/lib/dpkg/status": (root / "var/lib/dpkg/status").read_bytes(),
        "/usr/share/doc/libpam-runtime/copyright": (
            root / "usr/share/doc/libpam-runtime/copyright"
        ).read_bytes(),
    }
    [pkg] = DpkgCataloger().catalog(files, DEBIAN_12)  # the empty "Package:" stanza is skipped
    assert (pkg.name, pkg.version, pkg.architecture) == ("libpam-runtime", "1.1.8-3.6", "all")
    assert (pkg.source_name, pkg.source_version) == ("pam", "1.1.8-3.6")
    assert pkg.type is PackageType.DEB
    assert (
        pkg.purl == "pkg:deb/debian/libpam-runtime@1.1.8-3.6?arch=all&distro=debian-12&upstream=pam"
    )
    assert pkg.licenses == ("GPL-1", "GPL-2", "LGPL-2.1")
    assert [e.path for e in pkg.evidence] == [
        "/usr/share/doc/libpam-runtime/copyright",
        "/var/lib/dpkg/status",
    ]


def test_distroless_status_d_with_md5sums_and_copyright(debian: Path) -> None:
    root = debian / "image-distroless-deb"
    files = {"/" + str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    cataloger = DpkgCataloger()
    assert all(cataloger.wants(p) for p in files)
    [pkg] = cataloger.catalog(files, None)
    assert (pkg.name, pkg.version, pkg.architecture) == ("libsqlite3-0", "3.34.1-3", "arm64")
    assert pkg.source_name == "sqlite3"
    assert pkg.licenses == ("GPL-2", "GPL-2+", "public-domain")
    assert "/usr/lib/aarch64-linux-gnu/libsqlite3.so.0.8.6" in pkg.owned_files
    assert len(pkg.owned_files) == 6  # the six lines of libsqlite3-0.md5sums


def test_only_installed_stanzas(debian: Path) -> None:
    pkgs = DpkgCataloger().catalog(_status_d(debian, "deinstall"), None)
    assert [(p.name, p.version) for p in pkgs] == [
        ("linux-image-6.14.0-1012-aws", "6.14.0-1012.12~24.04.1")
    ]


def test_status_file_requires_installed_status() -> None:
    text = b"Package: a\nVersion: 1\n\nPackage: b\nStatus: install ok installed\nVersion: 2\n"
    pkgs = DpkgCataloger().catalog({"/var/lib/dpkg/status": text}, None)
    assert [p.name for p in pkgs] == ["b"]


def test_multiple_skips_nameless_and_versionless(debian: Path) -> None:
    pkgs = DpkgCataloger().catalog(_status_d(debian, "multiple"), None)
    assert [(p.name, p.version, p.source_name) for p in pkgs] == [
        ("tzdata", "2020a-0+deb10u1", "tzdata-dev"),
        ("util-linux", "2.33.1-0.1", "util-linux"),
    ]


def test_source_with_version_in_parens(debian: Path) -> None:
    pkgs = DpkgCataloger().catalog(_status_d(debian, "coreutils-relationships"), DEBIAN_12)
    by_name = {p.name: p for p in pkgs}
    assert len(pkgs) == 9
    selinux = by_name["libselinux1"]
    assert (selinux.version, selinux.source_name, selinux.source_version) == (
        "3.4-1+b6",
        "libselinux",
        "3.4-1",
    )
    assert "upstream=libselinux%403.4-1" in selinux.purl
    assert by_name["libgmp10"].version == "2:6.2.1+dfsg1-1.1"


def test_corrupt_stanza_gives_nothing(debian: Path) -> None:
    assert DpkgCataloger().catalog(_status_d(debian, "corrupt"), None) == []


def test_wants() -> None:
    c = DpkgCataloger()
    assert c.wants("/var/lib/dpkg/status")
    assert c.wants("/var/lib/dpkg/status.d/python3.11")
    assert c.wants("/var/lib/dpkg/info/libc6:amd64.list")
    assert c.wants("/usr/share/doc/libc6/copyright")
    assert not c.wants("/usr/share/doc/libc6/extra/copyright")
    assert not c.wants("/var/lib/dpkg/status-old")
    assert not c.wants("/var/lib/dpkg/info/libc6.postinst")


def test_info_list_ownership() -> None:
    status = (
        b"Package: python3-yaml\nStatus: install ok installed\nVersion: 6.0-3\n"
        b"Architecture: amd64\n"
    )
    listing = b"/.\n/usr\n/usr/lib/python3/dist-packages/PyYAML-6.0.egg-info/PKG-INFO\n"
    files = {
        "/var/lib/dpkg/status": status,
        "/var/lib/dpkg/info/python3-yaml.list": listing,
    }
    [pkg] = DpkgCataloger().catalog(files, None)
    assert pkg.owned_files == (
        "/usr",
        "/usr/lib/python3/dist-packages/PyYAML-6.0.egg-info/PKG-INFO",
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "liblzma5",
            (
                "Autoconf",
                "GPL-2",
                "GPL-2+",
                "GPL-3",
                "LGPL-2",
                "LGPL-2.1",
                "LGPL-2.1+",
                "PD",
                "PD-debian",
                "config-h",
                "noderivs",
                "permissive-fsf",
                "permissive-nowarranty",
                "probably-PD",
            ),
        ),
        ("libaudit-common", ("GPL-1", "GPL-2", "LGPL-2.1")),
        ("libc6", ()),
        ("trilicense", ()),
        ("python", ()),
        ("cuda", ()),
    ],
)
def test_copyright_licenses(debian: Path, name: str, expected: tuple[str, ...]) -> None:
    assert copyright_licenses((debian / "copyright" / name).read_bytes()) == expected


def test_stanza_continuation_lines() -> None:
    [st] = list(stanzas("Package: a\nDescription: short\n long line\n .\nVersion: 1\n"))
    assert st == {"Package": "a", "Description": "short\nlong line\n.", "Version": "1"}
