"""Go build-info parsing: modinfo text, both blob layouts, package mapping.

The inline (Go >= 1.18) layout is exercised on real binaries in
tests/integration/catalog/test_go_differential.py; the pre-1.18 pointer layout has no
binary on this machine (Debian ships Go 1.19), so a minimal ELF is assembled here
following ``debug/buildinfo``'s description of that layout.
"""

from __future__ import annotations

import struct

from hullguard.catalog.golang import (
    BUILDINFO_MAGIC,
    GoBinaryCataloger,
    packages_of,
    parse_modinfo,
    read_buildinfo,
    stdlib_version,
)
from hullguard.model.package import PackageType

MODINFO = (
    "path\texample.com/app/cmd/app\n"
    "mod\texample.com/app\t(devel)\t\n"
    "dep\tgithub.com/pkg/errors\tv0.9.1\th1:FEBLx1zS214owpjy7qsBeixbURkuhQAwrK5UwLGTwt4=\n"
    "dep\texample.com/lib\tv1.2.3\n"
    "=>\t./lib\t(devel)\t\n"
    "dep\tgolang.org/x/sys\tv0.1.0\n"
    "=>\tgolang.org/x/sys\tv0.5.0\th1:abc=\n"
    "build\t-compiler=gc\n"
    "build\tGOARCH=amd64\n"
)


def test_parse_modinfo() -> None:
    info = parse_modinfo("go1.17.13", MODINFO)
    assert info.path == "example.com/app/cmd/app"
    assert info.main is not None and info.main.version == "(devel)"
    assert [(d.path, d.version, d.replaced_by) for d in info.deps] == [
        ("github.com/pkg/errors", "v0.9.1", None),
        ("example.com/lib", "v1.2.3", ("./lib", "(devel)")),
        ("golang.org/x/sys", "v0.1.0", ("golang.org/x/sys", "v0.5.0")),
    ]
    assert ("GOARCH", "amd64") in info.settings


def test_packages_with_replacements_and_stdlib() -> None:
    pkgs = packages_of(parse_modinfo("go1.17.13", MODINFO), "/usr/bin/app")
    got = {(p.type, p.name, p.version) for p in pkgs}
    assert got == {
        (PackageType.GOLANG, "github.com/pkg/errors", "v0.9.1"),
        (PackageType.GOLANG, "example.com/lib", "v1.2.3"),  # local replacement keeps its version
        (PackageType.GOLANG, "golang.org/x/sys", "v0.5.0"),  # module replacement wins
        (PackageType.GOLANG, "example.com/app", "(devel)"),
        (PackageType.GO_STDLIB, "stdlib", "1.17.13"),
    }
    stdlib = next(p for p in pkgs if p.type is PackageType.GO_STDLIB)
    assert stdlib.purl == "pkg:golang/stdlib@1.17.13"
    errors = next(p for p in pkgs if p.name == "github.com/pkg/errors")
    assert errors.purl == "pkg:golang/github.com/pkg/errors@v0.9.1"


def test_stdlib_version() -> None:
    assert stdlib_version("go1.20.1 X:boringcrypto") == "1.20.1"
    assert stdlib_version("go1.19.8") == "1.19.8"


def _pointer_layout_elf(version: str, modinfo: str) -> bytes:
    base, seg_off = 0x400000, 0x1000
    wrapped = "0" * 16 + modinfo + "\n" + "1" * 15
    # segment layout: header(32) | strhdr(version) 16 | strhdr(modinfo) 16 | data...
    v_data = base + 64
    m_data = v_data + len(version)
    header = BUILDINFO_MAGIC + bytes([8, 0]) + struct.pack("<QQ", base + 32, base + 48)
    header = header.ljust(32, b"\0")
    seg = header + struct.pack("<QQ", v_data, len(version))
    seg += struct.pack("<QQ", m_data, len(wrapped.encode()))
    seg += version.encode() + wrapped.encode()
    ehdr = b"\x7fELF" + bytes([2, 1, 1]) + b"\0" * 9
    ehdr += struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, base, 64, 0, 0, 64, 56, 1, 64, 0, 0)
    phdr = struct.pack("<IIQQQQQQ", 1, 6, seg_off, base, base, len(seg), len(seg), 0x1000)
    return (ehdr + phdr).ljust(seg_off, b"\0") + seg


def test_pointer_layout_pre_go118() -> None:
    data = _pointer_layout_elf("go1.16.15", MODINFO)
    info = read_buildinfo(data)
    assert info is not None
    assert info.go_version == "go1.16.15"
    assert info.main is not None and info.main.path == "example.com/app"
    assert len(info.deps) == 3


def test_cataloger_skips_non_go_elf() -> None:
    elf = _pointer_layout_elf("go1.16.15", MODINFO).replace(BUILDINFO_MAGIC, b"x" * 14)
    assert GoBinaryCataloger().catalog({"/bin/x": elf, "/bin/y": b"\x7fELFjunk"}, None) == []
    assert GoBinaryCataloger().sniff(b"\x7fELF") and not GoBinaryCataloger().sniff(b"#!/b")
