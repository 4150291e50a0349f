"""Real image archives and layouts from go-containerregistry, containers/image and image-spec."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from hullguard.errors import HullguardError, MalformedImage, ReferenceError_, SourceError
from hullguard.image.config import parse_config
from hullguard.image.descriptors import parse_index, parse_manifest, sniff_media_type
from hullguard.image.loader import OpenOptions, open_image
from hullguard.image.walk import build_layered_view
from hullguard.model.image import Platform

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "fixtures"
GCR = SHARED / "go-containerregistry" / "pkg" / "v1"
SPEC = SHARED / "image-spec" / "examples"


def files(reference: str, **opts: object) -> dict[str, object]:
    image = open_image(reference, OpenOptions(**opts))  # type: ignore[arg-type]
    try:
        view, _ = build_layered_view(image)
    finally:
        image.close()
    return {r.path: r for r in view.final()}


def test_shared_fixtures_present() -> None:
    assert GCR.is_dir(), f"missing {GCR}: CI must lay shared/ beside the repository"


def test_whiteout_image() -> None:
    final = files(str(GCR / "mutate/testdata/whiteout_image.tar"))
    assert "/bar.txt" in final and "/foo.txt" not in final


def test_overwritten_file() -> None:
    image = open_image(str(GCR / "mutate/testdata/overwritten_file.tar"))
    try:
        view, _ = build_layered_view(image)
    finally:
        image.close()
    replaced = [
        r for r in view.all_records() if r.replaced_by is not None and r.type.value == "file"
    ]
    assert replaced, "a later layer overwrites a file in this fixture"
    final = {r.path: r for r in view.final()}
    for rec in replaced:
        assert final[rec.path].layer == rec.replaced_by


def test_docker25_archive_has_real_manifest_digest() -> None:
    image = open_image(str(GCR / "tarball/testdata/hello-world-v25.tar"))
    image.close()
    assert image.manifest_digest == (
        "sha256:411caf340c828657e915a83ed561a79d2b8150dabad4dc079d881cbfe6f86afe"
    )
    assert image.config.cmd == ("/hello",)
    assert image.config.architecture == "arm64"


def test_gzip_compressed_docker_archive(tmp_path: Path) -> None:
    src = GCR / "tarball/testdata/test_image_1.tar"
    gz = tmp_path / "image.tar.gz"
    gz.write_bytes(gzip.compress(src.read_bytes()))
    assert files(str(gz)) == files(str(src))


def test_symlinked_layers_archive() -> None:
    # test_link.tar shares a layer through a symlink between layer directories
    link = GCR / "tarball/testdata/test_link.tar"
    assert files(f"docker-archive:{link}:@0")
    assert files(f"docker-archive:{link}:@1")


def test_multi_image_archive_requires_choice() -> None:
    bundle = GCR / "tarball/testdata/test_bundle.tar"
    with pytest.raises(ReferenceError_, match="holds"):
        open_image(f"docker-archive:{bundle}")
    manifest = json.loads(_member(bundle, "manifest.json"))
    tag = manifest[1]["RepoTags"][0]
    image = open_image(f"docker-archive:{bundle}:{tag}")
    image.close()
    first = open_image(f"docker-archive:{bundle}:@0")
    first.close()
    assert image.config_digest != first.config_digest


def _member(path: Path, name: str) -> bytes:
    import tarfile

    with tarfile.open(path) as tf:
        fh = tf.extractfile(name)
        assert fh
        return fh.read()


@pytest.mark.parametrize("name", ["no_manifest.tar", "null_manifest.tar"])
def test_broken_archives(name: str) -> None:
    with pytest.raises((SourceError, MalformedImage)):
        open_image(f"docker-archive:{GCR / 'tarball/testdata' / name}")


def test_oci_layout_tags_and_digests() -> None:
    layout = GCR / "layout/testdata/test_index"
    with pytest.raises(ReferenceError_, match="holds 4 images"):
        open_image(f"oci:{layout}")
    index = json.loads((layout / "index.json").read_text())
    for entry in index["manifests"]:
        tag = entry["annotations"]["org.opencontainers.image.ref.name"]
        if entry["mediaType"].endswith(("index.v1+json", "list.v2+json")):
            continue
        by_tag = open_image(f"oci:{layout}:{tag}")
        by_digest = open_image(f"oci:{layout}@{entry['digest']}")
        by_tag.close()
        by_digest.close()
        assert by_tag.manifest_digest == by_digest.manifest_digest == entry["digest"]


def test_oci_layout_in_archive(tmp_path: Path) -> None:
    layout = GCR / "layout/testdata/test_index_one_image"
    archive = tmp_path / "img.tar"
    shutil.make_archive(str(archive.with_suffix("")), "tar", layout)
    assert files(f"oci-archive:{archive}") == files(f"oci:{layout}")


def test_unknown_media_type_layout() -> None:
    with pytest.raises(HullguardError):
        files(f"oci:{GCR / 'layout/testdata/test_gc_image_unknown_mediatype'}")


def test_image_spec_examples_parse() -> None:
    manifest = json.loads((SPEC / "manifest-example-1.json").read_text())
    parsed = parse_manifest(manifest, sniff_media_type(manifest, ""), "example")
    assert len(parsed.layers) == 3
    index = json.loads((SPEC / "image-index-example-1.json").read_text())
    entries = parse_index(index, "example")
    assert {e.platform for e in entries} >= {
        Platform("linux", "ppc64le"),
        Platform("linux", "amd64"),
    }
    config = parse_config(json.loads((SPEC / "config-example-1.json").read_text()), "example")
    assert config.user == "alice"
    assert "8080/tcp" in config.exposed_ports
    assert len(config.diff_ids) == 2
