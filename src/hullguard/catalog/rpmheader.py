"""RPM header blobs as stored in rpmdb (no lead, no magic): index entries + data store.

Pure Python: the ``rpm`` binary is never run. Layout (rpm's ``lib/header.c``): two
big-endian int32 (index count ``il``, data length ``dl``), ``il`` 16-byte entries
(tag, type, offset, count), then ``dl`` bytes of data.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from hullguard.catalog.interface import CatalogError

TAG_NAME = 1000
TAG_VERSION = 1001
TAG_RELEASE = 1002
TAG_EPOCH = 1003
TAG_SUMMARY = 1004
TAG_SIZE = 1009
TAG_VENDOR = 1011
TAG_LICENSE = 1014
TAG_ARCH = 1022
TAG_OLDFILENAMES = 1027
TAG_SOURCERPM = 1044
TAG_DIRINDEXES = 1116
TAG_BASENAMES = 1117
TAG_DIRNAMES = 1118
TAG_SIGMD5 = 261
TAG_MODULARITYLABEL = 5096

_T_INT8, _T_INT16, _T_INT32, _T_INT64 = 2, 3, 4, 5
_T_STRING, _T_BIN, _T_STRING_ARRAY, _T_I18N = 6, 7, 8, 9
_INT_FORMATS = {_T_INT8: "B", _T_INT16: "H", _T_INT32: "I", _T_INT64: "Q"}
_MAX_INDEX = 0x0000FFFF
_MAX_DATA = 256 * 1024 * 1024


@dataclass(frozen=True)
class RpmHeader:
    """The header fields the cataloger reports."""

    name: str
    version: str
    release: str
    epoch: int | None
    arch: str
    source_rpm: str
    license: str
    vendor: str
    summary: str
    size: int | None
    sigmd5: str
    modularity_label: str
    files: tuple[str, ...]


class _Blob:
    def __init__(self, blob: bytes) -> None:
        if len(blob) < 8:
            raise CatalogError("rpm header blob is truncated")
        il, dl = struct.unpack_from(">II", blob, 0)
        if il > _MAX_INDEX or dl > _MAX_DATA or 8 + il * 16 + dl > len(blob):
            raise CatalogError("rpm header blob has impossible sizes")
        self.blob = blob
        self.data_start = 8 + il * 16
        self.data_end = self.data_start + dl
        self.entries: dict[int, tuple[int, int, int]] = {}
        for i in range(il):
            tag, typ, off, count = struct.unpack_from(">IIII", blob, 8 + i * 16)
            self.entries.setdefault(tag, (typ, off, count))

    def _strings(self, tag: int) -> list[str]:
        entry = self.entries.get(tag)
        if entry is None:
            return []
        typ, off, count = entry
        if typ not in (_T_STRING, _T_STRING_ARRAY, _T_I18N):
            return []
        pos = self.data_start + off
        out: list[str] = []
        for _ in range(count if typ != _T_STRING else 1):
            end = self.blob.find(b"\0", pos, self.data_end)
            if end < 0:
                raise CatalogError(f"rpm header string for tag {tag} is not terminated")
            out.append(self.blob[pos:end].decode("utf-8", "replace"))
            pos = end + 1
        return out

    def string(self, tag: int) -> str:
        values = self._strings(tag)
        return values[0] if values else ""

    def string_array(self, tag: int) -> list[str]:
        return self._strings(tag)

    def ints(self, tag: int) -> list[int]:
        entry = self.entries.get(tag)
        if entry is None:
            return []
        typ, off, count = entry
        fmt = _INT_FORMATS.get(typ)
        if fmt is None:
            return []
        start = self.data_start + off
        size = struct.calcsize(fmt) * count
        if start + size > self.data_end:
            raise CatalogError(f"rpm header integers for tag {tag} overrun the data store")
        return list(struct.unpack_from(f">{count}{fmt}", self.blob, start))

    def binary_hex(self, tag: int) -> str:
        entry = self.entries.get(tag)
        if entry is None or entry[0] != _T_BIN:
            return ""
        start = self.data_start + entry[1]
        return self.blob[start : start + entry[2]].hex()


def _file_names(blob: _Blob) -> tuple[str, ...]:
    basenames = blob.string_array(TAG_BASENAMES)
    if not basenames:
        return tuple(sorted(set(blob.string_array(TAG_OLDFILENAMES))))
    dirnames = blob.string_array(TAG_DIRNAMES)
    indexes = blob.ints(TAG_DIRINDEXES)
    out = set()
    for base, idx in zip(basenames, indexes, strict=False):
        if 0 <= idx < len(dirnames):
            out.add(dirnames[idx] + base)
    return tuple(sorted(out))


def parse_header(data: bytes) -> RpmHeader:
    """Decode one header blob; raises :class:`CatalogError` when it is malformed."""
    blob = _Blob(data)
    epochs = blob.ints(TAG_EPOCH)
    sizes = blob.ints(TAG_SIZE)
    return RpmHeader(
        name=blob.string(TAG_NAME),
        version=blob.string(TAG_VERSION),
        release=blob.string(TAG_RELEASE),
        epoch=epochs[0] if epochs else None,
        arch=blob.string(TAG_ARCH),
        source_rpm=blob.string(TAG_SOURCERPM),
        license=blob.string(TAG_LICENSE),
        vendor=blob.string(TAG_VENDOR),
        summary=blob.string(TAG_SUMMARY),
        size=sizes[0] if sizes else None,
        sigmd5=blob.binary_hex(TAG_SIGMD5),
        modularity_label=blob.string(TAG_MODULARITYLABEL),
        files=_file_names(blob),
    )
