"""hullguard's image reader against images written by buildah, umoci and skopeo."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from hullguard.image.loader import open_image
from hullguard.image.walk import build_layered_view
from hullguard.model.image import FileType


def _view(reference: str):  # type: ignore[no-untyped-def]
    image = open_image(reference)
    try:
        view, per_layer = build_layered_view(image)
    finally:
        image.close()
    return image, view, per_layer


def _walk_rootfs(root: Path) -> dict[str, tuple[str, int]]:
    out: dict[str, tuple[str, int]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            full = Path(dirpath) / name
            st = full.lstat()
            rel = "/" + str(full.relative_to(root))
            if stat.S_ISDIR(st.st_mode):
                out[rel] = ("dir", 0)
            elif stat.S_ISLNK(st.st_mode):
                out[rel] = ("symlink", 0)
            elif stat.S_ISREG(st.st_mode):
                out[rel] = ("file", st.st_size)
            else:
                out[rel] = ("special", 0)
    return out


def test_final_view_equals_umoci_unpack(app_oci: Path, app_unpacked: Path) -> None:
    """The merged view (whiteouts, opaque dirs, replacements) matches umoci's real unpack."""
    _, view, _ = _view(f"oci:{app_oci}:1.0")
    ours: dict[str, tuple[str, int]] = {}
    for rec in view.final():
        if rec.path == "/":
            continue
        kind = {
            FileType.DIR: "dir",
            FileType.SYMLINK: "symlink",
            FileType.FILE: "file",
            FileType.HARDLINK: "file",
        }.get(rec.type, "special")
        ours[rec.path] = (kind, rec.size if rec.type is FileType.FILE else 0)
    theirs = _walk_rootfs(app_unpacked)
    # hardlinks carry size 0 in the tar; compare their presence only
    hardlinks = {r.path for r in view.final() if r.type is FileType.HARDLINK}
    for path in hardlinks & set(theirs):
        ours[path] = theirs[path]
    assert set(ours) == set(theirs), (
        sorted(set(ours) - set(theirs))[:20],
        sorted(set(theirs) - set(ours))[:20],
    )
    assert ours == theirs


def test_deleted_and_replaced_files_attributed(app_oci: Path) -> None:
    image, view, _ = _view(f"oci:{app_oci}:1.0")
    records = {(r.path, r.layer): r for r in view.all_records()}
    env = records[("/app/.env", 2)]
    assert env.deleted_by == 3 and not env.present
    assert "COPY" in image.layers[2].created_by
    assert "rm /app/.env" in image.layers[3].created_by
    old_cfg = records[("/app/config.ini", 2)]
    assert old_cfg.replaced_by == 6
    assert records[("/app/config.ini", 6)].present
    # rm -rf + mkdir of a directory: the old file is gone, the new one present
    assert records[("/var/cache/demo/file", 4)].deleted_by == 5
    assert records[("/var/cache/demo/other", 5)].present
    assert "/app/.env" not in {r.path for r in view.final()}


def _skopeo(*args: str) -> bytes:
    return subprocess.run(["skopeo", *args], check=True, capture_output=True).stdout


def test_digests_match_skopeo(app_oci: Path) -> None:
    ref = f"oci:{app_oci}:1.0"
    raw = _skopeo("inspect", "--raw", ref)
    config = json.loads(_skopeo("inspect", "--config", ref))
    image = open_image(ref)
    image.close()
    assert image.manifest_digest == "sha256:" + hashlib.sha256(raw).hexdigest()
    manifest = json.loads(raw)
    assert image.config_digest == manifest["config"]["digest"]
    assert [layer.descriptor.digest for layer in image.layers] == [
        layer["digest"] for layer in manifest["layers"]
    ]
    assert list(image.config.diff_ids) == config["rootfs"]["diff_ids"]
    assert image.config.user == config["config"]["User"] == "1000"
    assert len(image.config.history) == len(config["history"])


@pytest.mark.parametrize("kind", ["docker-archive", "oci-archive", "zstd"])
def test_all_transports_give_the_same_files(
    kind: str, app_oci: Path, app_docker_archive: Path, app_oci_archive: Path, app_oci_zstd: Path
) -> None:
    _, base_view, _ = _view(f"oci:{app_oci}:1.0")
    ref = {
        "docker-archive": f"docker-archive:{app_docker_archive}",
        "oci-archive": f"oci-archive:{app_oci_archive}",
        "zstd": f"oci:{app_oci_zstd}:1.0",
    }[kind]
    image, view, _ = _view(ref)
    key = [
        (r.path, r.type, r.size, r.layer, r.deleted_by, r.replaced_by) for r in view.all_records()
    ]
    base = [
        (r.path, r.type, r.size, r.layer, r.deleted_by, r.replaced_by)
        for r in base_view.all_records()
    ]
    assert key == base
    if kind == "zstd":
        assert all(layer.descriptor.media_type.endswith("+zstd") for layer in image.layers)


def test_plain_path_is_docker_archive(app_docker_archive: Path) -> None:
    image = open_image(str(app_docker_archive))
    image.close()
    assert len(image.layers) == 8


def _cli(*args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hullguard", "--cache-dir", str(cache), *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_cli_inspect_and_files(app_oci: Path, tmp_path: Path) -> None:
    ref = f"oci:{app_oci}:1.0"
    proc = _cli("image", "inspect", "-f", "json", ref, cache=tmp_path)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["user"] == "1000"
    assert doc["cmd"] == ["node", "/app/server.js"]
    assert [layer["index"] for layer in doc["layers"]] == list(range(8))
    assert doc["layers"][0]["files"] > 5000
    assert sum(1 for h in doc["history"] if h["empty_layer"]) >= 5
    # second run is served by the cache: same answer
    again = _cli("image", "inspect", "-f", "json", ref, cache=tmp_path)
    assert json.loads(again.stdout) == doc
    files = _cli("image", "files", "--all-layers", "-f", "json", ref, cache=tmp_path)
    assert files.returncode == 0, files.stderr
    entries = json.loads(files.stdout)["files"]
    env = [e for e in entries if e["path"] == "/app/.env"]
    assert env and env[0]["status"] == "deleted" and env[0]["deleted_by"] == 3
    one = _cli("image", "files", "--layer", "3", "-f", "json", ref, cache=tmp_path)
    assert {e["layer"] for e in json.loads(one.stdout)["files"]} == {3}
    table = _cli("image", "files", ref, cache=tmp_path)
    assert "/app/server.js" in table.stdout and "/app/.env" not in table.stdout
