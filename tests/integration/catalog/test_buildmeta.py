"""The layer walk keeps an executable iff the Go/Rust catalogers can read its build metadata.

Differential against the rule it replaced (search every byte for the Go build-info
magic or ``.dep-v0``) and against the catalogers themselves, on every real ELF
executable of this machine (C, C++, Debian's Go programs) plus a cargo-auditable
binary made with objcopy: the new rule keeps a subset of what the byte search kept,
and every binary the catalogers get packages from is kept, so the SBOM is unchanged.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest

from hullguard.catalog.buildmeta import carries_build_metadata
from hullguard.catalog.golang import GoBinaryCataloger
from hullguard.catalog.rust import RustAuditableCataloger

pytestmark = pytest.mark.integration

OLD_MARKERS = (b"\xff Go buildinf:", b".dep-v0")
CATALOGERS = (GoBinaryCataloger(), RustAuditableCataloger())


def _executables() -> list[Path]:
    out = []
    for directory in (Path("/usr/bin"), Path("/usr/sbin")):
        for path in sorted(directory.iterdir()):
            if path.is_symlink() or not path.is_file():
                continue
            with path.open("rb") as fh:
                if fh.read(4) == b"\x7fELF":
                    out.append(path)
    return out


def _packages(path: str, data: bytes) -> int:
    return sum(len(c.catalog({path: data}, None)) for c in CATALOGERS)


def test_same_sbom_inputs_as_the_byte_search_on_real_executables() -> None:
    kept_go = 0
    executables = _executables()
    assert len(executables) > 100
    for path in executables:
        data = path.read_bytes()
        kept = carries_build_metadata(data)
        if kept:
            assert any(m in data for m in OLD_MARKERS), path  # never keeps more than before
            kept_go += 1
        if _packages(str(path), data):
            assert kept, f"{path}: the catalogers read packages from it but the walk drops it"
    # Debian's Go programs (docker-registry, skopeo, umoci, buildah, go itself) are kept
    assert kept_go >= 3


@pytest.mark.skipif(shutil.which("objcopy") is None, reason="binutils is not installed")
def test_cargo_auditable_binary_is_kept(tmp_path: Path) -> None:
    section = tmp_path / "dep-v0"
    section.write_bytes(zlib.compress(json.dumps({"packages": []}).encode()))
    binary = tmp_path / "tool"
    shutil.copy("/bin/true", binary)
    subprocess.run(["objcopy", "--add-section", f".dep-v0={section}", str(binary)], check=True)
    assert carries_build_metadata(binary.read_bytes())
    assert not carries_build_metadata(Path("/bin/true").read_bytes())


def test_garbage_after_the_elf_magic_is_not_kept() -> None:
    assert not carries_build_metadata(b"\x7fELF" + b"\xff" * 60)
    assert not carries_build_metadata(b"\x7fELF\x02\x01" + bytes(200) + b"\xff Go buildinf:")


def test_hostile_header_tables_fail_fast() -> None:
    import struct
    import time

    from hullguard.catalog.elf import ElfFile
    from hullguard.catalog.interface import CatalogError

    # ELF64 little-endian header: 65,535 program and section headers of size 0 (overlapping)
    header = bytearray(64)
    header[:6] = b"\x7fELF\x02\x01"
    struct.pack_into("<Q", header, 0x20, 64)  # e_phoff
    struct.pack_into("<Q", header, 0x28, 64)  # e_shoff
    struct.pack_into("<HHHHH", header, 0x36, 0, 0xFFFF, 0, 0xFFFF, 1)
    data = bytes(header) + bytes(4096)
    start = time.process_time()
    with pytest.raises(CatalogError):
        ElfFile(data)
    assert not carries_build_metadata(data)
    assert time.process_time() - start < 0.05  # no per-entry loop before failing
