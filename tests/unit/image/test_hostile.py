"""Hostile and malformed images: each gives one clear error, never a traceback."""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
import tarfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from hullguard.errors import (
    DigestMismatch,
    HullguardError,
    LimitExceeded,
    MalformedImage,
    SourceError,
    UnsafeImage,
)
from hullguard.image.loader import OpenOptions, open_image
from hullguard.image.walk import build_layered_view
from hullguard.limits import DEFAULT_LIMITS

Make = Callable[..., Path]

Member = tuple[tarfile.TarInfo, bytes | None]


def tar_bytes(members: list[Member], *, fmt: int = tarfile.PAX_FORMAT) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tf:
        for info, data in members:
            tf.addfile(info, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def raw_member(name: str, data: bytes = b"x", **kw: object) -> Member:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    for key, value in kw.items():
        setattr(info, key, value)
    return info, data


def link_member(name: str, target: str, kind: bytes = tarfile.SYMTYPE) -> Member:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info, None


def read_all(path: Path, **opts: object) -> None:
    image = open_image(f"oci:{path}:t", OpenOptions(**opts))  # type: ignore[arg-type]
    try:
        build_layered_view(image)
    finally:
        image.close()


def test_good_layout_reads(layout: Make) -> None:
    path = layout([tar_bytes([raw_member("etc/hosts", b"127.0.0.1 localhost\n")])])
    read_all(path)


@pytest.mark.parametrize(
    ("member", "needle"),
    [
        (raw_member("../../etc/passwd"), "escapes the image root"),
        (raw_member("/etc/passwd"), "absolute path"),
        (raw_member("a/../../x"), "escapes the image root"),
        (link_member("a/evil", "../../../etc/shadow"), "outside the image root"),
        (link_member("evil", "../../../x", tarfile.LNKTYPE), "escapes the image root"),
        (link_member("hl", "/etc/passwd", tarfile.LNKTYPE), "absolute path"),
    ],
)
def test_path_escapes_rejected(layout: Make, member, needle: str) -> None:  # type: ignore[no-untyped-def]
    path = layout([tar_bytes([member])])
    with pytest.raises(UnsafeImage, match=needle):
        read_all(path)


def test_device_outside_dev_rejected(layout: Make) -> None:
    info = tarfile.TarInfo("usr/bin/mem")
    info.type = tarfile.CHRTYPE
    info.devmajor, info.devminor = 1, 1
    with pytest.raises(UnsafeImage, match="device file"):
        read_all(layout([tar_bytes([(info, None)])]))


def test_device_in_dev_allowed(layout: Make) -> None:
    info = tarfile.TarInfo("dev/null")
    info.type = tarfile.CHRTYPE
    info.devmajor, info.devminor = 1, 3
    read_all(layout([tar_bytes([(info, None)])]))


def test_absolute_symlink_is_fine(layout: Make) -> None:
    read_all(layout([tar_bytes([link_member("etc/alt", "/usr/bin/python3")])]))


def test_decompression_bomb_stops_early(layout: Make) -> None:
    big = tar_bytes([raw_member("zeros", bytes(64 * 1024 * 1024))])
    path = layout([big])
    limits = replace(DEFAULT_LIMITS, ratio_grace_bytes=1024 * 1024, max_decompression_ratio=50)
    with pytest.raises(LimitExceeded, match="ratio"):
        read_all(path, limits=limits)


def test_uncompressed_size_limit(layout: Make) -> None:
    path = layout([tar_bytes([raw_member("f", bytes(4 * 1024 * 1024))])])
    limits = replace(DEFAULT_LIMITS, max_layer_uncompressed_bytes=1024 * 1024)
    with pytest.raises(LimitExceeded, match="limit"):
        read_all(path, limits=limits)


def test_too_many_entries(layout: Make) -> None:
    path = layout([tar_bytes([raw_member(f"f{i}") for i in range(50)])])
    with pytest.raises(LimitExceeded, match="tar entries"):
        read_all(path, limits=replace(DEFAULT_LIMITS, max_entries_per_layer=10))


def test_overlong_path(layout: Make) -> None:
    path = layout([tar_bytes([raw_member("a/" * 3000 + "f")])])
    with pytest.raises(LimitExceeded, match="path longer"):
        read_all(path)


def test_truncated_gzip(layout: Make) -> None:
    layer = tar_bytes([raw_member("f", os.urandom(100000))])
    path = layout([layer], compress=lambda b: gzip.compress(b)[: len(b) // 2])
    with pytest.raises(MalformedImage, match=r"truncated|corrupt"):
        read_all(path, limits=DEFAULT_LIMITS)


def test_corrupt_zstd(layout: Make) -> None:
    import zstandard

    layer = tar_bytes([raw_member("f", b"y" * 100000)])
    data = zstandard.ZstdCompressor().compress(layer)
    path = layout([layer], compress=lambda b: data[:20] + bytes(50) + data[70:])
    with pytest.raises(MalformedImage, match="zstd"):
        read_all(path)


def test_blob_digest_mismatch(layout: Make) -> None:
    layer = tar_bytes([raw_member("f", b"hello")])
    path = layout([layer], compress=None, corrupt_blob=0)
    with pytest.raises(HullguardError) as err:
        read_all(path)
    assert isinstance(err.value, DigestMismatch)
    assert "does not match" in str(err.value)


def test_diff_id_mismatch(layout: Make) -> None:
    layer = tar_bytes([raw_member("f", b"hello")])
    path = layout([layer], diff_ids=["sha256:" + "0" * 64])
    with pytest.raises(DigestMismatch, match="uncompressed"):
        read_all(path)


def test_missing_blob(layout: Make) -> None:
    layer = tar_bytes([raw_member("f", b"hello")])
    path = layout([layer])
    manifest_digest = json.loads((path / "index.json").read_text())["manifests"][0]["digest"]
    manifest = json.loads((path / "blobs/sha256" / manifest_digest.split(":")[1]).read_text())
    (path / "blobs/sha256" / manifest["layers"][0]["digest"].split(":")[1]).unlink()
    with pytest.raises(SourceError, match="missing"):
        read_all(path)


def test_malformed_manifest_json(layout: Make) -> None:
    path = layout([tar_bytes([raw_member("f")])])
    index = json.loads((path / "index.json").read_text())
    digest = index["manifests"][0]["digest"].split(":")[1]
    (path / "blobs/sha256" / digest).write_bytes(b"{not json")
    with pytest.raises(DigestMismatch):
        read_all(path)  # content no longer matches its digest: caught before parsing


def test_index_json_garbage(layout: Make) -> None:
    path = layout([tar_bytes([raw_member("f")])])
    (path / "index.json").write_text("[1, 2")
    with pytest.raises(MalformedImage, match="not valid JSON"):
        read_all(path)


def test_oversized_config(layout: Make) -> None:
    path = layout([tar_bytes([raw_member("f")])], config_override={"pad": "x" * 200_000})
    with pytest.raises(LimitExceeded, match="config"):
        read_all(path, limits=replace(DEFAULT_LIMITS, max_config_bytes=100_000))


def test_layer_count_mismatch(layout: Make) -> None:
    path = layout([tar_bytes([raw_member("f")])], diff_ids=["sha256:" + "1" * 64] * 2)
    with pytest.raises(MalformedImage, match="diff_ids"):
        read_all(path)


def test_not_a_tar_layer(layout: Make) -> None:
    path = layout([b"this is not a tar archive at all" * 40])
    with pytest.raises(MalformedImage, match=r"checksum|truncated|tar header"):
        read_all(path)


def test_tar_without_end_blocks_is_tolerated(layout: Make) -> None:
    layer = tar_bytes([raw_member("f", b"data")])
    trimmed = layer.rstrip(b"\x00")
    trimmed += bytes(-len(trimmed) % 512)
    read_all(layout([trimmed]))


@pytest.mark.parametrize(
    "case",
    ["traversal", "missing-file", "not-a-layout", "garbage-archive", "bad-ref", "digest"],
)
def test_cli_one_line_error(layout: Make, tmp_path: Path, case: str) -> None:
    if case == "traversal":
        ref = f"oci:{layout([tar_bytes([raw_member('../../x')])])}:t"
    elif case == "missing-file":
        ref = str(tmp_path / "nope.tar")
    elif case == "not-a-layout":
        ref = f"oci:{tmp_path}"
    elif case == "garbage-archive":
        bad = tmp_path / "bad.tar"
        bad.write_bytes(b"\x00garbage" * 100)
        ref = f"docker-archive:{bad}"
    elif case == "bad-ref":
        ref = "UPPER/Case::bad"
    else:
        ref = f"oci:{layout([tar_bytes([raw_member('f')])], diff_ids=['sha256:' + '2' * 64])}:t"
    before = set(tmp_path.rglob("*"))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "hullguard",
            "--cache-dir",
            str(tmp_path / "cache"),
            "image",
            "files",
            ref,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode in (2, 3), proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("hullguard: error:"), proc.stderr
    assert proc.stdout == ""
    # nothing written outside the cache dir
    after = {p for p in tmp_path.rglob("*") if "cache" not in p.parts}
    assert after <= before | {tmp_path / "cache"}
