"""Layers read in forked worker processes: same results as one process, same errors."""

from __future__ import annotations

import gzip
import io
import os
import signal
import subprocess
import sys
import tarfile
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from hullguard.errors import DigestMismatch, HullguardError, LimitExceeded, UnsafeImage, UsageError
from hullguard.image import parallel
from hullguard.image.loader import OpenOptions, open_image
from hullguard.image.walk import build_layered_view
from hullguard.limits import DEFAULT_LIMITS
from hullguard.model.image import FileRecord

Make = Callable[..., Path]


def _tar(members: dict[str, bytes], *, escape: str | None = None) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
        if escape:
            info = tarfile.TarInfo(escape)
            info.type = tarfile.SYMTYPE
            info.linkname = "../../../../etc/shadow"
            tf.addfile(info)
    return buf.getvalue()


def _layers() -> list[bytes]:
    """Four layers with replacements and whiteouts across them."""
    return [
        _tar({f"usr/lib/f{i}": os.urandom(64) for i in range(300)} | {"etc/os-release": b"ID=x\n"}),
        _tar({"app/a.txt": b"one\n", "app/b.txt": b"two\n", "etc/os-release": b"ID=y\n"}),
        _tar({"app/.wh.a.txt": b"", "usr/lib/.wh..wh..opq": b"", "usr/lib/new": b"n"}),
        _tar({"app/b.txt": b"three\n"}),
    ]


@pytest.fixture
def force_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """Use the pool even for tiny layers and on a one-CPU machine."""
    monkeypatch.setattr(parallel, "MIN_PARALLEL_BYTES", 0)
    monkeypatch.setattr(parallel, "_cpus", lambda: 2)
    monkeypatch.delenv(parallel.WORKERS_ENV, raising=False)


def _view(path: Path, **opts: object) -> tuple[list[FileRecord], list[FileRecord]]:
    image = open_image(f"oci:{path}:t", OpenOptions(**opts))  # type: ignore[arg-type]
    try:
        view, _ = build_layered_view(image)
    finally:
        image.close()
    return view.all_records(), view.final()


@pytest.fixture
def spy_pool(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Records how many workers each pooled read used."""
    used: list[int] = []
    real = parallel._pooled

    def spy(*args: object) -> object:
        used.append(args[3])  # type: ignore[arg-type]
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(parallel, "_pooled", spy)
    yield used


def test_pool_and_serial_give_identical_views(
    layout: Make, force_pool: None, spy_pool: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = layout(_layers())
    pooled = _view(path)
    assert spy_pool == [2]
    monkeypatch.setenv(parallel.WORKERS_ENV, "1")
    serial = _view(path)
    assert spy_pool == [2]
    assert pooled == serial
    final = {r.path: r for r in pooled[1]}
    assert "/app/a.txt" not in final and final["/app/b.txt"].layer == 3
    assert final["/usr/lib/new"].layer == 2 and "/usr/lib/f0" not in final


def test_small_images_do_not_start_a_pool(layout: Make, spy_pool: list[int]) -> None:
    _view(layout(_layers()))
    assert spy_pool == []


def test_bad_worker_setting_is_a_usage_error(
    layout: Make, force_pool: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(parallel.WORKERS_ENV, "many")
    with pytest.raises(UsageError, match="HULLGUARD_WORKERS"):
        _view(layout(_layers()))


def test_hostile_layer_in_a_worker_is_the_same_clean_error(layout: Make, force_pool: None) -> None:
    layers = _layers()
    layers[2] = _tar({"x": b"1"}, escape="a/evil")
    with pytest.raises(UnsafeImage, match="outside the image root") as caught:
        _view(layout(layers))
    assert caught.value.exit_code == 3 and "layer 2" in caught.value.message


def test_first_failing_layer_is_reported_as_serially(layout: Make, force_pool: None) -> None:
    layers = _layers()
    layers[1] = _tar({"y": b"1"}, escape="b/evil")
    layers[3] = _tar({"z": b"1"}, escape="c/evil")
    with pytest.raises(UnsafeImage, match="layer 1"):
        _view(layout(layers))


def _error(path: Path) -> HullguardError:
    with pytest.raises(HullguardError) as caught:
        _view(path)
    return caught.value


@pytest.mark.parametrize("diff_ids", [None, ["sha256:" + "0" * 64] * 4])
def test_corrupt_blob_or_wrong_diff_id_same_error_as_serial(
    layout: Make, force_pool: None, monkeypatch: pytest.MonkeyPatch, diff_ids: list[str] | None
) -> None:
    path = layout(_layers(), corrupt_blob=None if diff_ids else 0, diff_ids=diff_ids)
    pooled = _error(path)
    monkeypatch.setenv(parallel.WORKERS_ENV, "1")
    serial = _error(path)
    assert type(pooled) is type(serial) and pooled.diagnostics() == serial.diagnostics()
    assert pooled.exit_code == 3 and "layer 0" in pooled.message
    if diff_ids:
        assert isinstance(pooled, DigestMismatch)


def test_bomb_in_a_worker_stops_early(layout: Make, force_pool: None) -> None:
    layers = _layers()
    layers[1] = _tar({"zeros": bytes(32 * 1024 * 1024)})
    limits = replace(DEFAULT_LIMITS, ratio_grace_bytes=1024 * 1024, max_decompression_ratio=50)
    with pytest.raises(LimitExceeded, match="ratio"):
        _view(layout(layers), limits=limits)


def test_dead_worker_is_a_clean_error(
    layout: Make, force_pool: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hullguard.image import walk

    real = walk.read_rows

    def dying(image, layer, cache, emit=None):  # type: ignore[no-untyped-def]
        if layer.index == 1:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(image, layer, cache, emit)

    monkeypatch.setattr(walk, "read_rows", dying)
    with pytest.raises(parallel.LayerWorkerError, match="worker process"):
        _view(layout(_layers()))


def test_oci_archive_is_read_by_workers_with_their_own_file(
    layout: Make, force_pool: None, spy_pool: list[int], tmp_path: Path
) -> None:
    path = layout(_layers())
    archive = tmp_path / "image.tar"
    with tarfile.open(archive, "w") as tf:
        for item in sorted(path.rglob("*")):
            tf.add(item, arcname=str(item.relative_to(path)), recursive=False)
    image = open_image(f"oci-archive:{archive}:t")
    try:
        view, _ = build_layered_view(image)
    finally:
        image.close()
    assert spy_pool == [2]
    assert view.all_records() == _view(path)[0]


def test_gzipped_archive_is_read_in_one_process(
    layout: Make, force_pool: None, spy_pool: list[int], tmp_path: Path
) -> None:
    path = layout(_layers())
    archive = tmp_path / "image.tar.gz"
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        for item in sorted(path.rglob("*")):
            tf.add(item, arcname=str(item.relative_to(path)), recursive=False)
    archive.write_bytes(gzip.compress(buf.getvalue()))
    image = open_image(f"oci-archive:{archive}:t")
    try:
        build_layered_view(image)
    finally:
        image.close()
    assert spy_pool == []


def test_cli_error_from_a_worker_is_one_line(layout: Make, tmp_path: Path) -> None:
    layers = _layers()
    layers[2] = _tar({"x": b"1"}, escape="a/evil")
    path = layout(layers)
    code = (
        "import sys; from hullguard.image import parallel as p; "
        "p.MIN_PARALLEL_BYTES = 0; p._cpus = lambda: 2; "
        "from hullguard.cli.main import main; sys.argv = ['hullguard'] + sys.argv[1:]; main()"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, "--quiet", "image", "files", "--no-cache", f"oci:{path}:t"],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 3, proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "outside the image root" in proc.stderr


def test_pending_imports_run_once_the_workers_are_started(
    layout: Make, force_pool: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a command imports after the walk is imported while the workers read."""
    from hullguard import prewarm

    seen: list[tuple[str, ...]] = []
    real = prewarm.run_pending

    def spy() -> None:
        seen.append(prewarm.pending())
        real()

    monkeypatch.setattr(prewarm, "run_pending", spy)
    prewarm.soon("hullguard.report.package_list", "hullguard_no_such_module_xyz")
    _view(layout(_layers()))
    assert seen == [("hullguard.report.package_list", "hullguard_no_such_module_xyz")]
    assert prewarm.pending() == ()
    assert "hullguard.report.package_list" in sys.modules


def test_serial_reads_leave_pending_imports_to_their_users(layout: Make) -> None:
    from hullguard import prewarm

    prewarm.soon("hullguard_no_such_module_xyz")
    _view(layout(_layers()))  # small: one process
    assert prewarm.pending() == ("hullguard_no_such_module_xyz",)
    prewarm.run_pending()  # a module that does not import is skipped, not an error
    assert prewarm.pending() == ()


def _events(path: Path, job: Callable[..., object], on_part: Callable[[int], None] = print) -> list:  # type: ignore[type-arg]
    image = open_image(f"oci:{path}:t")
    try:
        out = []
        for layer, part, result in parallel.stream_layers(
            image.source, image.layers, job, convert=lambda layer, p: (layer.index, p)
        ):
            if part is not None:
                on_part(layer.index)
            out.append((layer.index, part, result))
        return out
    finally:
        image.close()


def test_parts_reach_the_parent_while_the_layer_is_still_read(
    layout: Make, force_pool: None, tmp_path: Path
) -> None:
    """A worker's job blocks after its first part until the parent has seen that part:
    the parts must travel while the job runs, not with its result."""

    def job(layer: object, emit: Callable[[object], None]) -> str:
        index = layer.index  # type: ignore[attr-defined]
        emit(f"first of {index}")
        if index == 1:
            for _ in range(1000):  # up to 10 s
                if (tmp_path / "seen-1").exists():
                    break
                time.sleep(0.01)
            else:
                return "timed out: the part was not delivered before the result"
        emit(f"second of {index}")
        return f"result of {index}"

    def seen(index: int) -> None:
        (tmp_path / f"seen-{index}").touch()

    events = _events(layout(_layers()), job, seen)
    assert events == [
        e
        for i in range(4)
        for e in (
            (i, (i, f"first of {i}"), None),
            (i, (i, f"second of {i}"), None),
            (i, None, f"result of {i}"),
        )
    ]


def test_a_failure_after_parts_is_the_layers_error(
    layout: Make, force_pool: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def job(layer: object, emit: Callable[[object], None]) -> str:
        emit("part")
        if layer.index == 2:  # type: ignore[attr-defined]
            raise UnsafeImage("layer 2: hostile")
        return "ok"

    path = layout(_layers())
    got: list[int] = []
    with pytest.raises(UnsafeImage, match="layer 2: hostile"):
        _events(path, job, got.append)
    assert got[:2] == [0, 1]  # pooled: parts of the layers before it were handed out
    monkeypatch.setenv(parallel.WORKERS_ENV, "1")
    got = []
    with pytest.raises(UnsafeImage, match="layer 2: hostile"):
        _events(path, job, got.append)
    assert got == [0, 1]  # serial: a failed layer's parts are never handed out
