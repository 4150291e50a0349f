"""``dir:`` walker: symlinks resolved inside the root only, limits, real layout."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hullguard.catalog.dirsource import catalog_directory, resolve_in_root
from hullguard.catalog.golang import read_buildinfo, stdlib_version
from hullguard.errors import SourceError
from hullguard.limits import Limits


def _write(root: Path, rel: str, data: bytes) -> None:
    path = root / rel.lstrip("/")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def test_os_release_symlink_resolved_inside_root(tmp_path: Path) -> None:
    _write(tmp_path, "/usr/lib/os-release", b"ID=debian\nVERSION_ID=12\n")
    (tmp_path / "etc").mkdir()
    os.symlink("../usr/lib/os-release", tmp_path / "etc/os-release")
    _write(
        tmp_path, "/var/lib/dpkg/status", b"Package: a\nStatus: install ok installed\nVersion: 1\n"
    )
    result = catalog_directory(tmp_path)
    assert result.os_info is not None and result.os_info.version_id == "12"
    assert [p.name for p in result.packages] == ["a"]


def test_absolute_symlink_stays_in_root(tmp_path: Path) -> None:
    _write(tmp_path, "/real/status", b"Package: b\nStatus: install ok installed\nVersion: 2\n")
    (tmp_path / "var/lib/dpkg").mkdir(parents=True)
    os.symlink("/real/status", tmp_path / "var/lib/dpkg/status")
    assert [p.name for p in catalog_directory(tmp_path).packages] == ["b"]


def test_symlink_escape_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    _write(outside, "/status", b"Package: evil\nStatus: install ok installed\nVersion: 1\n")
    root = tmp_path / "root"
    (root / "var/lib/dpkg").mkdir(parents=True)
    os.symlink("../../../../outside/status", root / "var/lib/dpkg/status")
    # ".." stops at the root (chroot semantics): the link means <root>/outside/status
    assert resolve_in_root(root, "/var/lib/dpkg/status") is None
    _write(root, "/outside/status", b"Package: inside\nStatus: install ok installed\nVersion: 1\n")
    assert resolve_in_root(root, "/var/lib/dpkg/status") == root / "outside/status"
    assert [p.name for p in catalog_directory(root).packages] == ["inside"]
    (root / "outside/status").unlink()
    assert catalog_directory(root).packages == ()


def test_symlink_loop(tmp_path: Path) -> None:
    os.symlink("b", tmp_path / "a")
    os.symlink("a", tmp_path / "b")
    assert resolve_in_root(tmp_path, "/a") is None


def test_oversized_file_skipped_with_warning(tmp_path: Path) -> None:
    _write(
        tmp_path, "/var/lib/dpkg/status", b"Package: a\nStatus: install ok installed\nVersion: 1\n"
    )

    class Recorder:
        warnings: list[str] = []

        def start(self, task: str, total: int | None) -> None: ...
        def advance(self, task: str, amount: int) -> None: ...
        def finish(self, task: str) -> None: ...
        def warn(self, message: str) -> None:
            self.warnings.append(message)

    rec = Recorder()
    result = catalog_directory(tmp_path, limits=Limits(max_file_bytes=10), progress=rec)
    assert result.packages == ()
    assert any("over the per-file limit" in w for w in rec.warnings)


def test_not_a_directory(tmp_path: Path) -> None:
    with pytest.raises(SourceError):
        catalog_directory(tmp_path / "missing")


def test_elf_files_are_sniffed(tmp_path: Path) -> None:
    go_binary = Path("/usr/bin/umoci")
    if not go_binary.exists():
        pytest.skip("umoci (Debian package) is not installed")
    _write(tmp_path, "/opt/tool", go_binary.read_bytes())
    _write(tmp_path, "/opt/not-executable", go_binary.read_bytes())
    (tmp_path / "opt/tool").chmod(0o755)
    [stdlib] = catalog_directory(tmp_path).packages  # only the executable is sniffed
    info = read_buildinfo(go_binary.read_bytes())  # the parser itself is tested elsewhere
    assert info is not None
    assert (stdlib.name, stdlib.version) == ("stdlib", stdlib_version(info.go_version))
    assert [e.path for e in stdlib.evidence] == ["/opt/tool"]


def test_hidden_directories_keep_their_dot(tmp_path: Path) -> None:
    meta = "/.venv/lib/python3.11/site-packages/a-1.dist-info/METADATA"
    _write(tmp_path, meta, b"Name: a\nVersion: 1\n")
    [pkg] = catalog_directory(tmp_path).packages
    assert pkg.evidence[0].path == meta
