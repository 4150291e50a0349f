"""The C header scanner (hullguard._tarscan) against the Python tar reader it accelerates.

Every case is read twice, once with the scanner and once with the pure-Python
reader (the reference), in each way callers read layers: plain iteration,
``rows()``, and iteration that peeks at and reads file data between entries.
Entries, errors (type, message, hint), the entry count and the bytes pulled
from the source must be identical. Inputs: every real layer available (the
test images under .cache/test-images and the shared fixtures), hand-made edge
and hostile archives, truncations at every offset and seeded header mutations.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import io
import json
import os
import random
import sys
import tarfile
import zlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import zstandard

from hullguard.errors import HullguardError
from hullguard.image import tarstream
from hullguard.image.tarstream import TarStream, entry_row
from hullguard.limits import DEFAULT_LIMITS, Limits
from hullguard.model.image import FileType

REPO = Path(__file__).resolve().parents[3]
SHARED = REPO.parent / "shared" / "fixtures"
TEST_IMAGES = Path(os.environ.get("HULLGUARD_TEST_IMAGES", REPO / ".cache" / "test-images"))

try:
    from hullguard._tarscan import scan as SCAN
except ImportError:
    SCAN = None

needs_scan = pytest.mark.skipif(SCAN is None, reason="hullguard._tarscan is not built")


def _load_cases() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "tarcases", Path(__file__).with_name("tarcases.py")
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["tarcases"] = module
    spec.loader.exec_module(module)
    return module


cases = _load_cases()


class Source:
    """A byte source that answers reads with at most ``step`` bytes (short reads happen)."""

    def __init__(self, data: bytes, step: int | None) -> None:
        self.data, self.step, self.pos = data, step, 0

    def read(self, n: int = -1, /) -> bytes:
        n = len(self.data) - self.pos if n < 0 else n
        out = self.data[self.pos : self.pos + min(n, self.step or n)]
        self.pos += len(out)
        return out


SCANNED = [0]  # entries the C scanner returned (so a scanner that always hands off is caught)


def counting_scan(*args: Any) -> Any:
    assert SCAN is not None
    items, pos, skip = SCAN(*args)
    SCANNED[0] += len(items)
    return items, pos, skip


def read(data: bytes, *, accel: bool, mode: str, step: int | None, limits: Limits) -> Any:
    """What one reading of ``data`` yields: entries, error, entry count, bytes pulled."""
    saved = tarstream._scan
    tarstream._scan = counting_scan if accel else None
    source = Source(data, step)
    stream = TarStream(source, "layer 0 (sha256:0123456789ab)", limits)
    got: list[Any] = []
    error = None
    try:
        if mode == "rows":
            got = stream.rows()
        elif mode == "pick":  # selected members (and their data), then every row
            rows: list[Any] = []
            for e in stream.pick(_select, 7, rows.append):
                item = (e.path, e.type, e.size, e.mode, e.uid, e.gid, e.mtime, e.linkname, e.pax)
                if e.type is FileType.FILE:
                    head = stream.peek(5)
                    body = stream.read_data(2000) if len(got) % 2 else None
                    item += (head, body and hashlib.sha256(body).hexdigest())
                got.append(item)
            got.append(rows)
        else:
            for e in stream:
                item: tuple[Any, ...] = (e.path, e.type, e.size, e.mode, e.uid, e.gid, e.mtime)
                item += (e.linkname, e.pax)
                if mode == "data" and e.type is FileType.FILE:
                    head = stream.peek(5)
                    body = stream.read_data(2000) if len(got) % 3 else None
                    item += (head, body and hashlib.sha256(body).hexdigest())
                got.append(item)
        stream.drain()
    except HullguardError as exc:
        error = (type(exc).__name__, exc.message, exc.hint)
    finally:
        tarstream._scan = saved
    return got, error, stream.entries, source.pos


def _select(path: str, ftype: FileType, size: int, mode: int) -> bool:
    """A member selection for ``pick`` that takes about half of them, files and others."""
    return zlib.crc32(path.encode("utf-8", "surrogateescape")) % 2 == 0


def same_both_ways(
    data: bytes,
    *,
    modes: tuple[str, ...] = ("iter", "rows", "data", "pick"),
    steps: tuple[int | None, ...] = (None,),
    limits: Limits = DEFAULT_LIMITS,
) -> Any:
    """Assert the scanner and the Python reader agree; return the reference reading."""
    reference = None
    for mode in modes:
        for step in steps:
            want = read(data, accel=False, mode=mode, step=step, limits=limits)
            have = read(data, accel=True, mode=mode, step=step, limits=limits)
            assert have == want, f"mode={mode} step={step}"
            if mode == "iter":
                reference = want
    if reference is not None and "rows" in modes:
        rows = read(data, accel=True, mode="rows", step=None, limits=limits)[0]
        assert rows == [entry_row(tarstream.TarEntry(*e)) for e in reference[0]][: len(rows)]
    if reference is not None and "pick" in modes:
        picked, error = read(data, accel=True, mode="pick", step=None, limits=limits)[:2]
        if error is None:  # same members and rows as iterating, only the selected yielded
            every = [entry_row(tarstream.TarEntry(*e)) for e in reference[0]]
            assert [row for chunk in picked[-1] for row in chunk] == every
            assert all(len(chunk) == 7 for chunk in picked[-1][:-1])
            chosen = [e[:9] for e in reference[0] if _select(e[0], e[1], e[2], e[3])]
            assert [e[:9] for e in picked[:-1]] == chosen
    return reference


# -- hand-made archives ----------------------------------------------------------------------

EDGE = cases.edge_cases()


@needs_scan
@pytest.mark.parametrize(("name", "data"), EDGE, ids=[n for n, _ in EDGE])
def test_edge_cases_agree(name: str, data: bytes) -> None:
    same_both_ways(data, steps=(None, 512, 700, 4099))


@needs_scan
def test_cases_exercise_both_outcomes() -> None:
    """The hand-made cases include clean reads, every error family, and scanner hand-offs."""
    errors = set()
    SCANNED[0] = 0
    for _, data in EDGE:
        _, error, _, _ = read(data, accel=True, mode="iter", step=None, limits=DEFAULT_LIMITS)
        errors.add(error[0] if error else None)
    assert {None, "MalformedImage", "UnsafeImage", "LimitExceeded"} <= errors
    assert SCANNED[0] > 20


@needs_scan
@pytest.mark.parametrize("fmt", [tarfile.GNU_FORMAT, tarfile.PAX_FORMAT])
def test_truncated_at_every_interesting_offset(fmt: int) -> None:
    """Cuts inside every header field, at and around every block boundary, and every 37 bytes."""
    data = cases.mixed_tar(fmt)
    inside = (0, 1, 99, 100, 124, 148, 155, 156, 157, 257, 345, 500, 510, 511)
    cuts = {b + off for b in range(0, len(data), 512) for off in inside} | {len(data) - 1}
    for cut in sorted(cuts | set(range(0, len(data), 37))):
        same_both_ways(data[:cut], modes=("iter", "rows"))


@needs_scan
@pytest.mark.parametrize(
    "limits",
    [
        replace(DEFAULT_LIMITS, max_entries_per_layer=0),
        replace(DEFAULT_LIMITS, max_entries_per_layer=3),
        replace(DEFAULT_LIMITS, max_path_bytes=10),
        replace(DEFAULT_LIMITS, max_path_bytes=101),
    ],
    ids=["entries-0", "entries-3", "path-10", "path-101"],
)
def test_limits_agree(limits: Limits) -> None:
    for fmt in (tarfile.GNU_FORMAT, tarfile.PAX_FORMAT):
        same_both_ways(cases.mixed_tar(fmt), limits=limits, steps=(None, 512))


@needs_scan
def test_seeded_header_mutations() -> None:
    """Random bytes in header fields, checksums fixed up so the field parsers are reached."""
    rng = random.Random(20261128)
    base = bytearray(cases.mixed_tar(tarfile.GNU_FORMAT))
    headers = [0]
    with tarfile.open(fileobj=io.BytesIO(bytes(base))) as tf:
        headers = [m.offset_data - 512 for m in tf.getmembers()]
    alphabet = b"01234567 \x00/.\x80\xff+_\tx5"
    for _ in range(600):
        data = bytearray(base)
        at = rng.choice(headers)
        for _ in range(rng.randint(1, 4)):
            off = at + rng.choice([0, 1, 99, 100, 105, 108, 116, 124, 130, 135, 136, 156, 157])
            off += rng.randint(0, 3)
            data[off] = rng.choice(alphabet)
        block = bytearray(data[at : at + 512])
        if rng.random() < 0.9:
            cases.fix_checksum(block)
        data[at : at + 512] = block
        same_both_ways(bytes(data), modes=("iter", "rows"))


# -- real layers ---------------------------------------------------------------------------------


def _decompressed(blob: bytes) -> bytes | None:
    try:
        if blob[:2] == b"\x1f\x8b":
            return gzip.decompress(blob)
        if blob[:4] == b"\x28\xb5\x2f\xfd":
            return zstandard.ZstdDecompressor().decompressobj().decompress(blob)
    except (OSError, EOFError, zlib.error, zstandard.ZstdError):
        return None
    return blob if blob[257:262] == b"ustar" else None


def _fixture_tars() -> Iterator[tuple[str, bytes]]:
    """Layer tars of the shared fixtures: OCI blobs, plain tars and tars inside docker-save tars."""
    for path in sorted(SHARED.rglob("*")) if SHARED.is_dir() else []:
        if not path.is_file() or path.stat().st_size > 16 << 20:
            continue
        data = _decompressed(path.read_bytes())
        if data is None:
            continue
        yield str(path.relative_to(SHARED)), data
        if not path.name.endswith(".tar"):
            continue
        try:
            with tarfile.open(path) as outer:
                for m in outer.getmembers():
                    inner = outer.extractfile(m) if m.isfile() else None
                    layer = _decompressed(inner.read()) if inner else None
                    if layer is not None:
                        yield f"{path.relative_to(SHARED)}!{m.name}", layer
        except tarfile.TarError:
            continue


def _image_layers() -> Iterator[tuple[str, Path]]:
    """Every distinct layer blob of the real test images (OCI layouts) built by tools/imagebuild."""
    seen: set[str] = set()
    for index in sorted(TEST_IMAGES.glob("*/index.json")) if TEST_IMAGES.is_dir() else []:
        blobs = index.parent / "blobs" / "sha256"
        for desc in json.loads(index.read_text()).get("manifests", []):
            manifest = json.loads((blobs / desc["digest"].split(":")[1]).read_text())
            for layer in manifest.get("layers", []):
                digest = layer["digest"].split(":")[1]
                if digest not in seen:
                    seen.add(digest)
                    yield f"{index.parent.name}/{digest[:12]}", blobs / digest


def test_shared_fixture_layers_agree() -> None:
    if SCAN is None:
        pytest.skip("hullguard._tarscan is not built")
    found = 0
    for name, data in _fixture_tars():
        got = same_both_ways(data, steps=(None, 1000))
        found += got[1] is None and len(got[0]) > 0
        assert got is not None, name
    assert found >= 10, f"expected the shared fixtures beside the repository at {SHARED}"


IMAGE_LAYERS = list(_image_layers())


@needs_scan
@pytest.mark.skipif(not IMAGE_LAYERS, reason=f"no test images under {TEST_IMAGES}")
@pytest.mark.parametrize(("name", "blob"), IMAGE_LAYERS, ids=[n for n, _ in IMAGE_LAYERS])
def test_real_image_layers_agree(name: str, blob: Path) -> None:
    data = _decompressed(blob.read_bytes())
    assert data is not None, name
    SCANNED[0] = 0
    got, error, entries, pulled = same_both_ways(data)
    assert error is None and entries == len(got) > 0 and pulled == len(data)
    # plain headers are the scanner's: it read most entries of each of the 3 accelerated readings
    assert SCANNED[0] >= 3 * 0.9 * len(got) - 20


# -- the scanner itself ------------------------------------------------------------------------


@needs_scan
def test_scan_rejects_bad_arguments() -> None:
    assert SCAN is not None
    types = tarstream._SCAN_TYPES
    with pytest.raises(ValueError, match="out of range"):
        SCAN(b"", 1, 10, 4096, types, True)
    with pytest.raises(ValueError, match="out of range"):
        SCAN(b"", -1, 10, 4096, types, True)
    with pytest.raises(ValueError, match="256"):
        SCAN(b"", 0, 10, 4096, types[:10], True)
    with pytest.raises(TypeError):
        SCAN("text", 0, 10, 4096, types, True)  # type: ignore[arg-type]


@needs_scan
def test_scan_reports_data_past_the_buffer() -> None:
    assert SCAN is not None
    data = cases.member(b"a", b"1") + cases.header(b"big", size=5000) + b"x" * 100
    items, pos, skip = SCAN(data, 0, 10, 4096, tarstream._SCAN_TYPES, True)
    assert [row[0] for row in items] == ["/a", "/big"]
    assert pos == len(data) and skip == 1024 + 512 + 5120 - len(data)
    items, pos, _ = SCAN(bytearray(data), 0, 1, 4096, tarstream._SCAN_TYPES, False)
    assert len(items) == 1 and items[0][-1] == 0 and pos == 1024


def test_accelerator_built_when_required() -> None:
    """``make test`` sets HULLGUARD_REQUIRE_ACCEL=1: losing the C scanner must fail CI."""
    if os.environ.get("HULLGUARD_REQUIRE_ACCEL", "") in ("", "0"):
        pytest.skip("HULLGUARD_REQUIRE_ACCEL is not set")
    assert SCAN is not None, (
        "hullguard._tarscan is missing: pip install -e . needs gcc and Python headers"
    )
    if os.environ.get("HULLGUARD_PURE_PYTHON", "") in ("", "0"):
        assert tarstream.accelerated()
