"""OS detection on Syft's real release-file fixtures (syft/linux/testdata).

Expected values are what each fixture file itself states (ID, VERSION_ID, ...).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hullguard.catalog import osdetect
from hullguard.catalog.osdetect import detect_os


def _tree(root: Path) -> dict[str, bytes]:
    return {
        "/" + str(p.relative_to(root)): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and osdetect.wants("/" + str(p.relative_to(root)))
    }


@pytest.fixture(scope="module")
def linux(fixtures: Path) -> Path:
    return fixtures / "syft" / "syft" / "linux" / "testdata" / "os"


@pytest.mark.parametrize(
    ("fixture", "os_id", "version", "codename"),
    [
        ("alpine", "alpine", "3.11.6", ""),
        ("ubuntu", "ubuntu", "20.04", "focal"),
        ("fedora", "fedora", "36", ""),
        ("centos", "centos", "8", ""),
        ("debian/with-point-release", "debian", "13", "trixie"),
        ("debian/from-os-release", "debian", "8", ""),
        ("wolfi", "wolfi", "20220914", ""),
        ("centos5", "centos", "5.7", ""),
        ("redhat/from-redhat-release", "rhel", "8.10", ""),
        ("rockylinux/from-redhat-release", "rocky", "8.10", ""),
    ],
)
def test_release_files(linux: Path, fixture: str, os_id: str, version: str, codename: str) -> None:
    info = detect_os(_tree(linux / fixture))
    assert info is not None
    assert (info.id, info.version_id, info.version_codename) == (os_id, version, codename)
    assert not info.distroless


def test_ubuntu_id_like(linux: Path) -> None:
    info = detect_os(_tree(linux / "ubuntu"))
    assert info is not None and info.id_like == ("debian",)
    assert info.distro_qualifier == "ubuntu-20.04"


def test_distroless_version_from_debian_version(linux: Path) -> None:
    # os-release has no VERSION_ID (old distroless); debian_version says 10.8
    info = detect_os(_tree(linux / "debian" / "from-debian_version"))
    assert info is not None
    assert (info.id, info.version_id, info.pretty_name) == ("debian", "10", "Distroless")


def test_empty_os_release_is_unknown(linux: Path) -> None:
    assert detect_os(_tree(linux / "empty")) is None


def test_distroless_flag_from_status_d() -> None:
    files = {
        "/etc/os-release": b'ID=debian\nVERSION_ID="12"\n',
        "/var/lib/dpkg/status.d/libc6": b"Package: libc6\n",
    }
    info = detect_os(files)
    assert info is not None and info.distroless
    files["/var/lib/dpkg/status"] = b""
    info = detect_os(files)
    assert info is not None and not info.distroless


def test_etc_wins_over_usr_lib() -> None:
    files = {"/etc/os-release": b"ID=alpine\nVERSION_ID=3.19.1\n", "/usr/lib/os-release": b"ID=x\n"}
    info = detect_os(files)
    assert info is not None and info.id == "alpine"


def test_alpine_release_fallback() -> None:
    info = detect_os({"/etc/alpine-release": b"3.18.4\n"})
    assert info is not None and (info.id, info.version_id) == ("alpine", "3.18.4")
