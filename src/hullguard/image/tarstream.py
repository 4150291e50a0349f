"""A streaming, bounds-checked tar reader for layer archives.

Why not :mod:`tarfile`: layers are read once, front to back, from a
decompressing stream; ``tarfile``'s stream mode costs tens of microseconds per
entry in Python-level bookkeeping we do not need, and it neither enforces the
limits hostile images require nor tolerates the missing end-of-archive blocks
that some real tools (umoci ``insert``) write. This reader handles ustar, GNU
long names/links and PAX (local and global) headers, validates every header
checksum, and normalises and checks every path before anyone sees it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from hullguard.errors import LimitExceeded, MalformedImage, UnsafeImage
from hullguard.image.stream import CHUNK, Readable
from hullguard.image.tarfields import (
    ExtensionState,
    check_symlink,
    field_str,
    header_ids,
    member_size,
    normalise_member_path,
    number,
    parse_pax,
)
from hullguard.limits import Limits
from hullguard.model.image import FileType

BLOCK = 512
_ZERO_BLOCK = bytes(BLOCK)
_NUL_SPACE = b"\x00 "

_TYPES: dict[bytes, FileType] = {
    b"0": FileType.FILE,
    b"\x00": FileType.FILE,
    b"7": FileType.FILE,
    b"S": FileType.FILE,
    b"1": FileType.HARDLINK,
    b"2": FileType.SYMLINK,
    b"3": FileType.CHAR,
    b"4": FileType.BLOCK,
    b"5": FileType.DIR,
    b"6": FileType.FIFO,
}
_DATA_TYPES = frozenset({b"0", b"\x00", b"7", b"S"})
_META_TYPES = frozenset({b"L", b"K", b"x", b"g", b"X"})
WHITEOUT_PREFIX = ".wh."
OPAQUE_MARKER = ".wh..wh..opq"


@dataclass(slots=True)
class TarEntry:
    """One member of a layer tar, with its path normalised (``/a/b``)."""

    path: str
    type: FileType
    size: int
    mode: int
    uid: int
    gid: int
    mtime: int
    linkname: str = ""
    pax: dict[str, str] = field(default_factory=dict)


#: a member in compact form: path, type, size, mode, uid, gid, linkname
Row = list[Any]


def _entry(item: tuple[Any, ...]) -> TarEntry:
    """The entry of one tuple of the C scanner (the header offset dropped)."""
    path, ftype, size, mode, uid, gid, mtime, link, _ = item
    return TarEntry(path, ftype, size, mode, uid, gid, mtime, link, {})


def entry_row(entry: TarEntry) -> Row:
    """The compact row of one entry (what :meth:`TarStream.rows` returns)."""
    # the FileType member itself: a StrEnum is its value in JSON, and ``.value`` is slow
    return [entry.path, entry.type, entry.size, entry.mode, entry.uid, entry.gid, entry.linkname]


# The C fast path for runs of plain headers (src/hullguard/_tarscan.c, ADR 0210):
# optional, and HULLGUARD_PURE_PYTHON=1 turns it off. It returns only what the
# Python code below would return for the same bytes and stops at any header it
# does not fully handle, which the Python code then reads (and rejects, if it must).
_ScanFn = Callable[[bytes, int, int, int, tuple[Any, ...], bool], tuple[list[Any], int, int]]
_scan: _ScanFn | None
try:
    from hullguard._tarscan import scan as _scan
except ImportError:  # no compiler at install time: the Python reader alone
    _scan = None
if os.environ.get("HULLGUARD_PURE_PYTHON", "") not in ("", "0"):
    _scan = None
#: FileType by type-flag byte for the scanner (None: extension header or unknown type)
_SCAN_TYPES: tuple[FileType | None, ...] = tuple(_TYPES.get(bytes([i])) for i in range(256))


def accelerated() -> bool:
    """Whether the C header scanner is in use."""
    return _scan is not None


class TarStream:
    """Iterate the members of a tar stream; optionally read the current member's data."""

    def __init__(self, raw: Readable, what: str, limits: Limits) -> None:
        self._raw = raw
        self._what = what
        self._limits = limits
        self._buf = b""
        self._pos = 0
        self._remaining = 0  # data bytes (incl. padding) of the current member not consumed
        self._data_left = 0  # data bytes of the current member not consumed
        self.entries = 0

    # -- buffered primitives -------------------------------------------------
    def _take(self, n: int) -> bytes:
        avail = len(self._buf) - self._pos
        if avail >= n:
            out = self._buf[self._pos : self._pos + n]
            self._pos += n
            return out
        # Spans chunks (large files the analyzers read): copy each byte once into
        # the result; keep only the unread tail of the last chunk as the buffer.
        parts: list[bytes | memoryview] = [memoryview(self._buf)[self._pos :]]
        have = avail
        tail = b""
        while have < n:
            chunk = self._raw.read(max(CHUNK, n - have))
            if not chunk:
                break
            need = n - have
            if len(chunk) > need:
                parts.append(memoryview(chunk)[:need])
                tail = chunk[need:]
            else:
                parts.append(chunk)
            have += min(len(chunk), need)
        out = b"".join(parts)
        self._buf, self._pos = tail, 0
        return out

    def _skip(self, n: int) -> None:
        avail = len(self._buf) - self._pos
        if n <= avail:
            self._pos += n
            return
        n -= avail
        self._buf, self._pos = b"", 0
        while n > 0:
            chunk = self._raw.read(CHUNK)
            if not chunk:
                raise MalformedImage(f"{self._what}: tar stream truncated inside a member")
            if len(chunk) > n:
                self._buf, self._pos = chunk, n
                return
            n -= len(chunk)

    def _finish_member(self) -> None:
        if self._remaining:
            self._skip(self._remaining)
            self._remaining = self._data_left = 0

    def read_data(self, limit: int) -> bytes | None:
        """Read the current member's data if it is at most ``limit`` bytes, else ``None``."""
        if self._data_left > limit:
            return None
        size = self._data_left
        data = self._take(size)
        if len(data) != size:
            raise MalformedImage(f"{self._what}: tar stream truncated inside a member")
        self._remaining -= size
        self._data_left = 0
        return data

    def peek(self, n: int) -> bytes:
        """Up to ``n`` leading bytes of the current member's data, without consuming them."""
        n = min(n, self._data_left)
        avail = len(self._buf) - self._pos
        if avail < n:
            more = self._raw.read(max(CHUNK, n - avail))
            self._buf = self._buf[self._pos :] + more
            self._pos = 0
        return self._buf[self._pos : self._pos + n]

    def drain(self) -> None:
        """Consume everything after the archive (so digests cover the whole stream)."""
        self._buf, self._pos = b"", 0
        while self._raw.read(CHUNK):
            pass

    # -- headers ---------------------------------------------------------------
    def _header(self) -> bytes | None:
        pos = self._pos
        if len(self._buf) - pos >= BLOCK:  # inline fast path of _take
            block = self._buf[pos : pos + BLOCK]
            self._pos = pos + BLOCK
        else:
            block = self._take(BLOCK)
        if not block:
            return None  # EOF without end-of-archive blocks: tolerated
        if len(block) < BLOCK:
            raise MalformedImage(f"{self._what}: tar stream truncated inside a header")
        if block == _ZERO_BLOCK:
            return None
        try:
            stored = int(block[148:156].rstrip(_NUL_SPACE) or b"0", 8)
        except ValueError:
            stored = number(block[148:156], self._what)
        computed = sum(block) - sum(block[148:156]) + 256
        if stored != computed:
            raise MalformedImage(
                f"{self._what}: tar header checksum mismatch (corrupt or not a tar layer)"
            )
        return block

    def __iter__(self) -> Iterator[TarEntry]:
        scan = _scan
        if scan is None:
            meta = ExtensionState()
            while (got := self._member(meta)) is not None:
                if got[1]:
                    yield got[0]
            return
        yield from self._iter_fast(scan)

    def rows(self) -> list[Row]:
        """Every remaining member as a compact row (``entry_row``), data skipped.

        Same members, order and errors as iterating; for callers that need no
        file contents, and the fastest way through a layer.
        """
        out: list[Row] = []
        for part in self.row_parts(1 << 62):
            out += part
        return out

    def row_parts(self, size: int) -> Iterator[list[Row]]:
        """:meth:`rows` in lists of at least ``size`` rows (the last one may be shorter,
        or empty when the layer is), handed out as the layer is read."""
        scan = _scan
        out: list[Row] = []
        if scan is None:
            for entry in self:
                out.append(entry_row(entry))
                if len(out) >= size:
                    yield out
                    out = []
            yield out
            return
        meta = ExtensionState()
        limit, max_path = self._limits.max_entries_per_layer, self._limits.max_path_bytes
        while True:
            if len(out) >= size:
                yield out
                out = []
            if self._remaining:
                self._finish_member()
            if meta.clear():
                got, self._pos, self._remaining = scan(
                    self._buf, self._pos, limit - self.entries, max_path, _SCAN_TYPES, True
                )
                if got:
                    self.entries += len(got)
                    out += got
                    continue
            member = self._member(meta)
            if member is None:
                yield out
                return
            if member[1]:
                out.append(entry_row(member[0]))

    def pick(
        self,
        select: Callable[[str, FileType, int, int], bool],
        part_rows: int,
        flush: Callable[[list[Row]], None],
    ) -> Iterator[TarEntry]:
        """Every member, as iterating does, but yield only those ``select`` accepts.

        ``select(path, type, size, mode)`` decides per member; the rows of all
        members (``entry_row``) go to ``flush`` in lists of ``part_rows`` (the
        last one, possibly empty, when the archive ends). Same members, order,
        limits and errors as iterating, and a yielded member's data can be read
        as usual; members not selected cost no entry object and no trip through
        the consumer (most of a layer when only some files are wanted).
        """
        rows: list[Row] = []
        members: Iterator[TarEntry | tuple[Any, ...]] = (
            iter(self) if _scan is None else self._positioned(_scan)
        )
        for member in members:
            if isinstance(member, TarEntry):
                path, ftype, size, mode = member.path, member.type, member.size, member.mode
                rows.append(entry_row(member))
            else:
                path, ftype, size, mode, uid, gid, _, link, _ = member
                rows.append([path, ftype, size, mode, uid, gid, link])
            if len(rows) >= part_rows:
                flush(rows)
                rows = []
            if select(path, ftype, size, mode):
                yield member if isinstance(member, TarEntry) else _entry(member)
        flush(rows)

    def _iter_fast(self, scan: _ScanFn) -> Iterator[TarEntry]:
        """``__iter__`` with runs of plain headers read by the C scanner."""
        for member in self._positioned(scan):
            yield member if isinstance(member, TarEntry) else _entry(member)

    def _positioned(self, scan: _ScanFn) -> Iterator[TarEntry | tuple[Any, ...]]:
        """Each member with the stream at its data, as iterating: the C scanner's tuple
        (path, type, size, mode, uid, gid, mtime, link, header offset) for a plain
        header, the Python reader's entry for the rest. The consumer may read the
        member's data before asking for the next one."""
        meta = ExtensionState()
        limit, max_path = self._limits.max_entries_per_layer, self._limits.max_path_bytes
        while True:
            if self._remaining:
                self._finish_member()
            if meta.clear():
                buf = self._buf
                got = scan(buf, self._pos, limit - self.entries, max_path, _SCAN_TYPES, False)[0]
                for item in got:
                    size, hoff = item[2], item[8]
                    if self._buf is not buf or self._pos != hoff:
                        break  # the consumer moved the stream: rescan from where it is
                    self._pos = hoff + BLOCK
                    self._data_left = size
                    self._remaining = (size + BLOCK - 1) // BLOCK * BLOCK
                    self.entries += 1
                    yield item
                    if self._remaining:
                        self._finish_member()
                if got:
                    continue
            member = self._member(meta)
            if member is None:
                return
            if member[1]:
                yield member[0]

    def _member(self, meta: ExtensionState) -> tuple[TarEntry, bool] | None:
        """Read headers up to the next member (the reference path); ``None`` at the end.

        The flag says whether the member is shown (unknown type flags are
        counted and skipped, not shown).
        """
        while True:
            if self._remaining:
                self._finish_member()
            block = self._header()
            if block is None:
                return None
            typeflag = block[156:157]
            try:
                size = int(block[124:136].rstrip(_NUL_SPACE) or b"0", 8)
            except ValueError:
                size = number(block[124:136], self._what)
            if size < 0:
                raise MalformedImage(f"{self._what}: negative member size in tar header")
            if typeflag in _META_TYPES:
                self._meta_header(meta, typeflag, size)
                continue
            pax = {**meta.global_pax, **meta.pending} if meta.global_pax else meta.pending
            meta.pending = {}
            entry = self._entry(block, typeflag, size, pax, meta.long_name, meta.long_link)
            meta.long_name = meta.long_link = None
            self.entries += 1
            if self.entries > self._limits.max_entries_per_layer:
                raise LimitExceeded(
                    f"{self._what}: more than {self._limits.max_entries_per_layer} tar entries"
                )
            if typeflag in _DATA_TYPES or typeflag not in _TYPES:
                # skip the data the header declares, not the entry's size: a regular file
                # named ``.wh.*`` is a whiteout of size 0 whose data still follows (reading
                # that data as headers would let a layer hide or invent entries)
                self._data_left = entry.size
                data = member_size(size, pax, self._what)
                self._remaining = (data + BLOCK - 1) // BLOCK * BLOCK
            else:
                self._data_left = self._remaining = 0
            return entry, typeflag in _TYPES

    def _meta_header(self, meta: ExtensionState, typeflag: bytes, size: int) -> None:
        """Read a PAX or GNU long-name/link header's data into ``meta``."""
        if size > self._limits.max_path_bytes * 16 + 65536:
            raise LimitExceeded(f"{self._what}: oversized tar extension header")
        padded = (size + BLOCK - 1) // BLOCK * BLOCK
        data = self._take(padded)[:size]
        if len(data) != size:
            raise MalformedImage(f"{self._what}: tar stream truncated inside a header")
        if typeflag == b"L":
            meta.long_name = data.split(b"\x00", 1)[0].decode("utf-8", "surrogateescape")
        elif typeflag == b"K":
            meta.long_link = data.split(b"\x00", 1)[0].decode("utf-8", "surrogateescape")
        elif typeflag == b"g":
            meta.global_pax.update(parse_pax(data, self._what))
        else:
            meta.pending.update(parse_pax(data, self._what))

    def _entry(
        self,
        block: bytes,
        typeflag: bytes,
        size: int,
        pax: dict[str, str],
        long_name: str | None,
        long_link: str | None,
    ) -> TarEntry:
        # Hot path (once per member): header fields are decoded in place
        # (``find`` instead of split, the link name only for links) and the
        # plain octal numbers parsed inline; anything unusual takes ``_number``.
        name = (pax.get("path") if pax else None) or long_name
        if name is None:
            name = field_str(block, 0, 100)
            if block[257:262] == b"ustar" and block[345] != 0:
                prefix = field_str(block, 345, 500)
                if prefix:
                    name = f"{prefix}/{name}"
        size = member_size(size, pax, self._what)
        ftype = _TYPES.get(typeflag, FileType.FILE)
        path = normalise_member_path(name, self._what, self._limits)
        link = ""
        if ftype is FileType.HARDLINK or ftype is FileType.SYMLINK:
            link = (pax.get("linkpath") if pax else None) or long_link or field_str(block, 157, 257)
            if ftype is FileType.HARDLINK:
                link = normalise_member_path(link, self._what, self._limits)
            else:
                check_symlink(path, link, self._what)
        elif ftype in (FileType.CHAR, FileType.BLOCK) and not path.startswith("/dev/"):
            raise UnsafeImage(
                f"{self._what}: device file {path!r} outside /dev",
                hint="images should not ship device nodes; the image is malformed or hostile",
            )
        if "/.wh." in path:
            base = path.rpartition("/")[2]
            if base == OPAQUE_MARKER:
                ftype = FileType.OPAQUE
            elif base.startswith(WHITEOUT_PREFIX):
                ftype = FileType.WHITEOUT
        mode, uid, gid, mtime = header_ids(block, pax, self._what)
        return TarEntry(
            path=path,
            type=ftype,
            size=size if ftype is FileType.FILE else 0,
            mode=mode & 0o7777,
            uid=uid,
            gid=gid,
            mtime=mtime,
            linkname=link if ftype is FileType.HARDLINK or ftype is FileType.SYMLINK else "",
            pax=pax,
        )
