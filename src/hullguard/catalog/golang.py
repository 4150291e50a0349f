"""Go cataloger: module build info embedded in ELF executables (``debug/buildinfo``).

Both layouts are read: since Go 1.18 the version and module strings follow the
32-byte ``\\xff Go buildinf:`` header inline (varint length prefixes); before that the
header holds two pointers to Go string headers, resolved through the segments.
Reports the main module, each dependency (a module replacement wins, a local-directory
replacement keeps the required version) and the toolchain as package ``stdlib``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from hullguard.catalog import purls
from hullguard.catalog.elf import ElfCataloger, ElfFile
from hullguard.catalog.interface import CatalogerId, CatalogError
from hullguard.model.package import Evidence, Package, PackageType, meta_tuple

BUILDINFO_MAGIC = b"\xff Go buildinf:"
_HEADER = 32
_SEARCH = 64 * 1024
_FLAG_BIG_ENDIAN, _FLAG_INLINE = 1, 2


@dataclass(frozen=True)
class Module:
    path: str
    version: str
    replaced_by: tuple[str, str] | None = None


@dataclass(frozen=True)
class BuildInfo:
    """What ``go version -m`` prints."""

    go_version: str
    path: str
    main: Module | None
    deps: tuple[Module, ...]
    settings: tuple[tuple[str, str], ...]


def _uvarint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while pos < len(data) and shift < 64:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7
    raise CatalogError("Go build info: bad varint")


def _inline_strings(blob: bytes) -> tuple[str, str]:
    pos = _HEADER
    out = []
    for _ in range(2):
        length, pos = _uvarint(blob, pos)
        out.append(blob[pos : pos + length].decode("utf-8", "replace"))
        pos += length
    return out[0], out[1]


def _pointer_strings(elf: ElfFile, blob: bytes, ptr_size: int, big: bool) -> tuple[str, str]:
    order: Literal["big", "little"] = "big" if big else "little"

    def read_ptr(raw: bytes, at: int) -> int:
        return int.from_bytes(raw[at : at + ptr_size], order)

    def read_string(addr: int) -> str:
        header = elf.read_vaddr(addr, 2 * ptr_size)
        if len(header) < 2 * ptr_size:
            return ""
        data_addr, length = read_ptr(header, 0), read_ptr(header, ptr_size)
        if length > 1 << 24:
            raise CatalogError("Go build info: string too long")
        return elf.read_vaddr(data_addr, length).decode("utf-8", "replace")

    return read_string(read_ptr(blob, 16)), read_string(read_ptr(blob, 16 + ptr_size))


def find_blob(elf: ElfFile) -> bytes | None:
    section = elf.section(".go.buildinfo")
    if section is not None and section.startswith(BUILDINFO_MAGIC):
        return section
    start = elf.data_start()
    if start is None:
        return None
    region = elf.read_vaddr(start, _SEARCH)
    pos = region.find(BUILDINFO_MAGIC)
    while pos >= 0 and pos % 16:
        pos = region.find(BUILDINFO_MAGIC, pos + 1)
    return region[pos:] if pos >= 0 else None


def read_buildinfo(data: bytes) -> BuildInfo | None:
    """Build info of a Go ELF executable, or ``None`` if it has none."""
    elf = ElfFile(data)
    blob = find_blob(elf)
    if blob is None or len(blob) < _HEADER:
        return None
    ptr_size, flags = blob[14], blob[15]
    if flags & _FLAG_INLINE:
        version, modinfo = _inline_strings(blob)
    elif ptr_size in (4, 8):
        version, modinfo = _pointer_strings(elf, blob, ptr_size, bool(flags & _FLAG_BIG_ENDIAN))
    else:
        return None
    if len(modinfo) >= 33 and modinfo[-17] == "\n":
        modinfo = modinfo[16:-16]
    return parse_modinfo(version, modinfo) if version else None


def parse_modinfo(go_version: str, text: str) -> BuildInfo:
    """The tab-separated ``path``/``mod``/``dep``/``=>``/``build`` lines."""
    path = ""
    main: Module | None = None
    deps: list[Module] = []
    settings: list[tuple[str, str]] = []
    for line in text.splitlines():
        fields = line.split("\t")
        kind = fields[0]
        if kind == "path" and len(fields) > 1:
            path = fields[1]
        elif kind == "mod" and len(fields) > 2:
            main = Module(fields[1], fields[2])
        elif kind == "dep" and len(fields) > 2:
            deps.append(Module(fields[1], fields[2]))
        elif kind == "=>" and len(fields) > 2 and deps:
            last = deps.pop()
            deps.append(Module(last.path, last.version, (fields[1], fields[2])))
        elif kind == "build" and len(fields) > 1:
            key, _, value = fields[1].partition("=")
            settings.append((key, value))
    return BuildInfo(go_version, path, main, tuple(deps), tuple(settings))


def stdlib_version(go_version: str) -> str:
    """``go1.19.8`` (or ``go1.20.1 X:boringcrypto``) -> ``1.19.8``."""
    return go_version.split()[0].removeprefix("go") if go_version else ""


class GoBinaryCataloger(ElfCataloger):
    """Go modules compiled into executables."""

    name = CatalogerId.GO_BINARY
    version = 1

    def packages_from(self, data: bytes, path: str) -> list[Package]:
        info = read_buildinfo(data)
        return packages_of(info, path) if info is not None else []


def _module_package(module: Module, path: str, info: BuildInfo, role: str) -> Package:
    name, version, note = module.path, module.version, ""
    if module.replaced_by is not None:
        new_path, new_version = module.replaced_by
        note = f"{new_path} {new_version}".strip()
        if not new_path.startswith((".", "/")):
            name, version = new_path, new_version
    return Package(
        name=name,
        version=version,
        type=PackageType.GOLANG,
        purl=purls.golang(name, version),
        evidence=(Evidence(path),),
        metadata=meta_tuple(
            {
                "goToolchain": info.go_version,
                "mainModule": info.main.path if info.main else info.path,
                "role": role,
                "replacedBy": note,
                "architecture": dict(info.settings).get("GOARCH", ""),
            }
        ),
        found_by=CatalogerId.GO_BINARY,
    )


def packages_of(info: BuildInfo, path: str) -> list[Package]:
    """Main module, dependencies and ``stdlib`` of one binary."""
    out = [_module_package(dep, path, info, "dependency") for dep in info.deps]
    if info.main is not None and info.main.path:
        out.append(_module_package(info.main, path, info, "main"))
    version = stdlib_version(info.go_version)
    if version:
        out.append(
            Package(
                name="stdlib",
                version=version,
                type=PackageType.GO_STDLIB,
                purl=purls.golang("stdlib", version),
                evidence=(Evidence(path),),
                metadata=meta_tuple({"goToolchain": info.go_version, "mainModule": info.path}),
                found_by=CatalogerId.GO_BINARY,
            )
        )
    return out
