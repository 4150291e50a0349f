"""A minimal ELF reader over bytes: sections by name, program headers, virtual reads.

Enough for the Go and Rust catalogers (build info sections, pointer chasing). Hostile
input: every offset is bounds-checked and a bad file raises :class:`CatalogError`.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

from hullguard.catalog.interface import ELF_MAGIC, CatalogError, PathHint
from hullguard.model.package import OSInfo, Package

_PT_LOAD = 1
_PF_X, _PF_W = 1, 2
_MAX_SECTIONS = 65536


class Section(NamedTuple):
    """One section header (a tuple: the walk reads ~35 per executable, 500 per image)."""

    name: str
    addr: int
    offset: int
    size: int
    nobits: bool


@dataclass(frozen=True)
class Segment:
    type: int
    flags: int
    offset: int
    vaddr: int
    filesz: int


class ElfFile:
    """Parsed section and program header tables of one ELF image."""

    def __init__(self, data: bytes) -> None:
        if len(data) < 52 or not data.startswith(ELF_MAGIC):
            raise CatalogError("not an ELF file")
        self.data = data
        self.is64 = data[4] == 2
        self.order = "<" if data[5] == 1 else ">"
        self.sections = self._sections()
        self.segments = self._segments()

    def _unpack(self, fmt: str, offset: int) -> tuple[int, ...]:
        try:
            return struct.unpack_from(self.order + fmt, self.data, offset)
        except struct.error as exc:
            raise CatalogError("ELF header points outside the file") from exc

    def _sections(self) -> list[Section]:
        if self.is64:
            shoff = self._unpack("Q", 0x28)[0]
            shentsize, shnum, shstrndx = self._unpack("HHH", 0x3A)
            fmt = "IIQQQQ"
        else:
            shoff = self._unpack("I", 0x20)[0]
            shentsize, shnum, shstrndx = self._unpack("HHH", 0x2E)
            fmt = "IIIIII"
        if shoff == 0 or shnum == 0 or shnum > _MAX_SECTIONS:
            return []
        raw = self._table(fmt, shoff, shentsize, shnum)
        if shstrndx >= shnum:
            return []
        str_off, str_size = raw[shstrndx][4], raw[shstrndx][5]
        names = self.data[str_off : str_off + str_size]
        out = []
        for name_off, sh_type, _, addr, offset, size in raw:
            end = names.find(b"\0", name_off)
            name = names[name_off:end].decode("latin-1") if end >= 0 else ""
            out.append(Section(name, addr, offset, size, sh_type == 8))
        return out

    def _table(self, fmt: str, offset: int, entsize: int, count: int) -> list[tuple[int, ...]]:
        """``count`` header table entries of ``entsize`` bytes from ``offset``."""
        if count == 0:
            return []
        layout = struct.Struct(self.order + fmt)
        end = offset + count * entsize
        # checked up front, so a hostile header costs no per-entry work before it fails
        if entsize < layout.size:
            raise CatalogError("ELF header table entries are smaller than their format")
        if end > len(self.data):
            raise CatalogError("ELF header points outside the file")
        if entsize == layout.size:  # the usual case: one C call
            return list(layout.iter_unpack(memoryview(self.data)[offset:end]))
        return [self._unpack(fmt, offset + i * entsize) for i in range(count)]

    def _segments(self) -> list[Segment]:
        if self.is64:
            phoff = self._unpack("Q", 0x20)[0]
            phentsize, phnum = self._unpack("HH", 0x36)
        else:
            phoff = self._unpack("I", 0x1C)[0]
            phentsize, phnum = self._unpack("HH", 0x2A)
        count = min(phnum, _MAX_SECTIONS)
        if self.is64:
            return [
                Segment(p_type, flags, offset, vaddr, filesz)
                for p_type, flags, offset, vaddr, _, filesz in self._table(
                    "IIQQQQ", phoff, phentsize, count
                )
            ]
        return [
            Segment(p_type, flags, offset, vaddr, filesz)
            for p_type, offset, vaddr, _, filesz, _, flags in self._table(
                "IIIIIII", phoff, phentsize, count
            )
        ]

    def section(self, name: str) -> bytes | None:
        """Contents of the first section called ``name``."""
        for sec in self.sections:
            if sec.name == name and not sec.nobits:
                return self.data[sec.offset : sec.offset + sec.size]
        return None

    def data_start(self) -> int | None:
        """Virtual address of the first writable, non-executable loadable segment."""
        for seg in self.segments:
            if seg.type == _PT_LOAD and seg.flags & (_PF_X | _PF_W) == _PF_W:
                return seg.vaddr
        return None

    def read_vaddr(self, addr: int, size: int) -> bytes:
        """``size`` bytes at virtual address ``addr`` (from a loadable segment)."""
        for seg in self.segments:
            if seg.type == _PT_LOAD and seg.vaddr <= addr < seg.vaddr + seg.filesz:
                start = seg.offset + (addr - seg.vaddr)
                available = seg.vaddr + seg.filesz - addr
                return self.data[start : start + min(size, available)]
        return b""


class ElfCataloger:
    """Base of catalogers that read metadata embedded in ELF executables.

    They select files by content (the ELF magic), never by path; a binary whose
    metadata does not parse is skipped, not reported.
    """

    sniffs = True
    path_hint = PathHint()  # selects by content only

    def wants(self, path: str) -> bool:
        return False

    def sniff(self, head: bytes) -> bool:
        return head.startswith(ELF_MAGIC)

    def catalog(self, files: Mapping[str, bytes], os_info: OSInfo | None) -> list[Package]:
        out: list[Package] = []
        for path in sorted(files):
            data = files[path]
            if not data.startswith(ELF_MAGIC):
                continue
            try:
                out.extend(self.packages_from(data, path))
            except CatalogError:
                continue
        return out

    def packages_from(self, data: bytes, path: str) -> list[Package]:
        """Packages recorded in one executable (raise CatalogError when unreadable)."""
        raise NotImplementedError
