"""The three rpmdb storage formats, read from bytes into header blobs (sans-I/O).

- SQLite ``rpmdb.sqlite``: table ``Packages(hnum, blob)``; opened in memory with
  ``sqlite3.Connection.deserialize`` (no temp file).
- Berkeley DB hash ``Packages``: every hash page's values that point to overflow
  pages; the overflow chain holds one header blob. Either byte order.
- NDB ``Packages.db`` (SUSE): a slot array after a 32-byte header; each used slot
  points to a ``BlbS`` blob holding one header.

No ``rpm`` binary or library is used; layouts follow rpm's ``lib/backend`` sources
(and go-rpmdb's description of them).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

from hullguard.catalog.interface import CatalogError

_BDB_HASH_MAGIC = 0x061561
_BDB_PAGE_HEADER = 26
_P_HASH_UNSORTED, _P_OVERFLOW, _P_HASH = 2, 7, 13
_H_OFFPAGE = 3
_MAX_OVERFLOW_PAGES = 1 << 20

_NDB_HEADER_MAGIC = int.from_bytes(b"RpmP", "little")
_NDB_SLOT_MAGIC = int.from_bytes(b"Slot", "little")
_NDB_BLOB_MAGIC = int.from_bytes(b"BlbS", "little")
_NDB_PAGE = 4096
_NDB_BLOCK = 16
_NDB_MAX_SLOT_PAGES = 2048


def sqlite_blobs(data: bytes) -> Iterator[bytes]:
    """Header blobs of an ``rpmdb.sqlite`` database given as bytes."""
    if len(data) >= 20 and data[18:20] == b"\x02\x02":
        # WAL-mode databases cannot be opened from memory: mark the copy as rollback-journal
        data = data[:18] + b"\x01\x01" + data[20:]
    import sqlite3  # here: only images with an rpm database need it

    conn = sqlite3.connect(":memory:")
    try:
        conn.deserialize(data)
        rows = conn.execute("SELECT blob FROM Packages ORDER BY hnum").fetchall()
    except sqlite3.Error as exc:
        raise CatalogError(f"rpmdb.sqlite is not a readable rpm database: {exc}") from exc
    finally:
        conn.close()
    for (blob,) in rows:
        if isinstance(blob, bytes):
            yield blob


def bdb_blobs(data: bytes) -> Iterator[bytes]:
    """Header blobs of a Berkeley DB hash ``Packages`` file."""
    if len(data) < 512:
        raise CatalogError("rpm Packages (Berkeley DB) file is truncated")
    order = "<"
    if struct.unpack_from("<I", data, 12)[0] != _BDB_HASH_MAGIC:
        if struct.unpack_from(">I", data, 12)[0] != _BDB_HASH_MAGIC:
            raise CatalogError("rpm Packages file is not a Berkeley DB hash database")
        order = ">"
    page_size = struct.unpack_from(f"{order}I", data, 20)[0]
    last_page = struct.unpack_from(f"{order}I", data, 32)[0]
    if page_size < 512 or page_size > 65536:
        raise CatalogError(f"rpm Packages file has an invalid page size {page_size}")
    for page_no in range(last_page + 1):
        page = data[page_no * page_size : (page_no + 1) * page_size]
        if len(page) < _BDB_PAGE_HEADER or page[25] not in (_P_HASH, _P_HASH_UNSORTED):
            continue
        entries = struct.unpack_from(f"{order}H", page, 20)[0]
        for i in range(1, entries, 2):  # key/value pairs: values are odd entries
            offset = struct.unpack_from(f"{order}H", page, _BDB_PAGE_HEADER + 2 * i)[0]
            if offset + 12 > len(page) or page[offset] != _H_OFFPAGE:
                continue
            first, total = struct.unpack_from(f"{order}II", page, offset + 4)
            yield _bdb_overflow(data, page_size, order, first, total)


def _bdb_overflow(data: bytes, page_size: int, order: str, page_no: int, total: int) -> bytes:
    chunks: list[bytes] = []
    seen = 0
    while page_no:
        seen += 1
        if seen > _MAX_OVERFLOW_PAGES:
            raise CatalogError("rpm Packages file has an overflow page loop")
        page = data[page_no * page_size : (page_no + 1) * page_size]
        if len(page) < _BDB_PAGE_HEADER or page[25] != _P_OVERFLOW:
            raise CatalogError(f"rpm Packages file: page {page_no} is not an overflow page")
        next_page, _, used = struct.unpack_from(f"{order}IHH", page, 16)
        end = _BDB_PAGE_HEADER + used if not next_page else page_size
        chunks.append(page[_BDB_PAGE_HEADER:end])
        page_no = next_page
    return b"".join(chunks)[:total]


def ndb_blobs(data: bytes) -> Iterator[bytes]:
    """Header blobs of a SUSE NDB ``Packages.db`` file."""
    if len(data) < 32:
        raise CatalogError("rpm Packages.db (NDB) file is truncated")
    magic, version, _, slot_pages = struct.unpack_from("<IIII", data, 0)
    if magic != _NDB_HEADER_MAGIC or version != 0 or slot_pages == 0:
        raise CatalogError("rpm Packages.db is not an NDB database")
    if slot_pages > _NDB_MAX_SLOT_PAGES or slot_pages * _NDB_PAGE > len(data):
        raise CatalogError("rpm Packages.db slot area is larger than the file")
    for pos in range(32, slot_pages * _NDB_PAGE, 16):
        slot_magic, pkg_index, blk_offset, _ = struct.unpack_from("<IIII", data, pos)
        if slot_magic != _NDB_SLOT_MAGIC:
            raise CatalogError("rpm Packages.db has a corrupt slot")
        if pkg_index == 0:
            continue
        start = blk_offset * _NDB_BLOCK
        if start + 16 > len(data):
            raise CatalogError("rpm Packages.db slot points past the end of the file")
        blob_magic, blob_index, _, blob_len = struct.unpack_from("<IIII", data, start)
        if blob_magic != _NDB_BLOB_MAGIC or blob_index != pkg_index:
            raise CatalogError(f"rpm Packages.db blob for package {pkg_index} is corrupt")
        if start + 16 + blob_len > len(data):
            raise CatalogError(f"rpm Packages.db blob for package {pkg_index} is truncated")
        yield data[start + 16 : start + 16 + blob_len]
