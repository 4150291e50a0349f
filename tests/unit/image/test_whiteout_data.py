"""A whiteout is listed with size 0, but the data its header declares is still skipped.

A layer can carry a regular-file member named ``.wh.NAME`` with data. Docker, tar and
Python's tarfile skip that data; reading it as the next headers would let a hostile
layer hide the entries that follow or invent ones that are not there.
"""

from __future__ import annotations

import io
import tarfile

import pytest

from hullguard.image import tarstream
from hullguard.image.tarstream import TarStream
from hullguard.limits import DEFAULT_LIMITS
from hullguard.model.image import FileType


def _header(name: str, size: int) -> bytes:
    info = tarfile.TarInfo(name)
    info.size = size
    return info.tobuf(format=tarfile.USTAR_FORMAT)


def _smuggling_layer(pax: bool) -> bytes:
    # the whiteout's data is a ustar header (plus a block) for a file that is not a member
    hidden = _header("etc/ghost", 600) + bytes(512)
    buf = io.BytesIO()
    fmt = tarfile.PAX_FORMAT if pax else tarfile.USTAR_FORMAT
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tf:
        info = tarfile.TarInfo("a/.wh.x")
        info.size = len(hidden)
        if pax:
            info.pax_headers = {"comment": "pax records precede this member"}
        tf.addfile(info, io.BytesIO(hidden))
        real = tarfile.TarInfo("real")
        real.size = 3
        tf.addfile(real, io.BytesIO(b"abc"))
    return buf.getvalue()


@pytest.mark.parametrize("pax", [False, True], ids=["ustar", "pax"])
@pytest.mark.parametrize("accel", [False, True], ids=["python", "c"])
@pytest.mark.parametrize("rows", [False, True], ids=["entries", "rows"])
def test_whiteout_data_is_skipped(pax: bool, accel: bool, rows: bool) -> None:
    if accel and tarstream._scan is None:
        pytest.skip("hullguard._tarscan is not built")
    data = _smuggling_layer(pax)
    with tarfile.open(fileobj=io.BytesIO(data)) as reference:
        expected = [m.name for m in reference.getmembers()]
    assert expected == ["a/.wh.x", "real"]  # the reference reader
    saved = tarstream._scan
    tarstream._scan = saved if accel else None
    try:
        stream = TarStream(io.BytesIO(data), "layer 0", DEFAULT_LIMITS)
        listed = [(r[0], r[1]) for r in stream.rows()] if rows else None
        got = listed if listed is not None else [(e.path, e.type) for e in stream]
    finally:
        tarstream._scan = saved
    assert got == [("/a/.wh.x", FileType.WHITEOUT), ("/real", FileType.FILE)]


def test_negative_pax_size_is_refused() -> None:
    from hullguard.errors import MalformedImage

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        info = tarfile.TarInfo("f")
        info.size = 1
        info.pax_headers = {"size": "-5"}
        tf.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(MalformedImage, match="negative member size"):
        list(TarStream(io.BytesIO(buf.getvalue()), "layer 0", DEFAULT_LIMITS))
