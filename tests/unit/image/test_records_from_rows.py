"""records_from_rows skips the frozen __init__: it must equal the constructor."""

from __future__ import annotations

from dataclasses import fields

from hullguard.image.walk import records_from_rows
from hullguard.model.image import FileRecord, FileType


def test_same_records_as_the_constructor() -> None:
    rows = [
        ["/etc/passwd", FileType.FILE, 1200, 0o644, 0, 0, ""],
        ["/usr/bin/sh", FileType.SYMLINK, 0, 0o777, 0, 0, "dash"],
        ["/home/app", FileType.DIR, 0, 0o750, 1000, 1000, ""],
    ]
    built = records_from_rows(rows, 3)
    expected = [FileRecord(p, t, s, m, 3, u, g, ln) for p, t, s, m, u, g, ln in rows]
    assert built == expected
    for got, want in zip(built, expected, strict=True):
        # every field (also those excluded from ==) exactly as the constructor sets them
        assert {f.name: getattr(got, f.name) for f in fields(FileRecord)} == {
            f.name: getattr(want, f.name) for f in fields(FileRecord)
        }
        assert got.extra is not expected[0].extra  # each record owns its dict


def test_each_record_owns_its_extra_dict() -> None:
    a, b = records_from_rows(
        [["/a", FileType.FILE, 1, 0o644, 0, 0, ""], ["/b", FileType.FILE, 1, 0o644, 0, 0, ""]], 0
    )
    assert a.extra is not b.extra
