"""The registry client against a real docker-registry over plain HTTP on 127.0.0.1."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import pytest

from hullguard.errors import DigestMismatch, RegistryError, UsageError
from hullguard.image.interface import MediaType
from hullguard.image.reference import parse_registry_reference
from hullguard.image.registry import (
    RegistryClient,
    RegistryOptions,
    RegistryPusher,
    RegistrySource,
    open_registry_source,
)
from hullguard.model.image import Descriptor, Digest

pytestmark = pytest.mark.integration


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@pytest.fixture
def options(empty_docker_config: Path) -> RegistryOptions:
    return RegistryOptions(insecure=True, docker_config=empty_docker_config)


@pytest.fixture
def client(plain_registry, options):  # type: ignore[no-untyped-def]
    with RegistryClient(plain_registry.host, options) as c:
        yield c


def test_manifest_digest_matches_skopeo(plain_registry, client) -> None:
    raw = client.get_manifest("team/app", "amd64")
    skopeo_bytes = plain_registry.raw_manifest("team/app:amd64")
    assert raw.data == skopeo_bytes
    assert raw.digest == _sha256(skopeo_bytes)
    assert raw.media_type == MediaType.OCI_MANIFEST


def test_index_and_children_by_digest(plain_registry, client, oci_layout) -> None:
    index = client.get_manifest("team/app", "multi")
    assert index.digest == _sha256(plain_registry.raw_manifest("team/app:multi"))
    assert index.media_type == MediaType.OCI_INDEX
    children = json.loads(index.data)["manifests"]
    assert sorted(c["platform"]["architecture"] for c in children) == ["amd64", "arm64"]
    for child in children:
        raw = client.get_manifest("team/app", child["digest"])
        assert raw.digest == child["digest"]
        assert len(raw.data) == child["size"]
        # skopeo copied the umoci-written manifests byte for byte
        assert raw.data == oci_layout.blob(child["digest"])


def test_blobs_stream_the_pushed_bytes(client, oci_layout) -> None:
    manifest = json.loads(client.get_manifest("team/app", "amd64").data)
    blobs = [manifest["config"], *manifest["layers"]]
    assert len(manifest["layers"]) == 1
    for desc in blobs:
        with client.open_blob("team/app", desc["digest"], size=desc["size"], verify=True) as stream:
            chunks = []
            while chunk := stream.read(7):  # tiny reads exercise the incremental reader
                chunks.append(chunk)
        data = b"".join(chunks)
        assert _sha256(data) == desc["digest"]
        assert data == oci_layout.blob(desc["digest"])
    config = client.get_blob("team/app", manifest["config"]["digest"], max_bytes=1 << 20)
    assert json.loads(config)["architecture"] == "amd64"


def test_registry_source_reads_root_child_and_blob(plain_registry, options, oci_layout) -> None:
    ref = parse_registry_reference(f"{plain_registry.host}/team/app:multi")
    with open_registry_source(ref, options) as source:
        assert isinstance(source, RegistrySource)
        assert source.description == f"{plain_registry.host}/team/app:multi"
        root = source.root()
        assert root.media_type == MediaType.OCI_INDEX
        entry = json.loads(root.data)["manifests"][1]
        child = source.child_manifest(
            Descriptor(entry["mediaType"], Digest(entry["digest"]), entry["size"])
        )
        layer = json.loads(child.data)["layers"][0]
        with source.open_blob(
            Descriptor(layer["mediaType"], Digest(layer["digest"]), layer["size"])
        ) as blob:
            assert blob.read() == oci_layout.blob(layer["digest"])


def test_tag_plus_digest_reads_the_digest(plain_registry, options) -> None:
    digest = _sha256(plain_registry.raw_manifest("team/app:amd64"))
    # the tag names the index, the digest the amd64 manifest: the digest wins
    ref = parse_registry_reference(f"{plain_registry.host}/team/app:multi@{digest}")
    with RegistrySource(ref, options) as source:
        assert source.root().digest == digest


def test_unknown_tag_says_check_the_tag(client) -> None:
    with pytest.raises(RegistryError) as info:
        client.get_manifest("team/app", "no-such-tag")
    text = info.value.diagnostics()
    assert "manifest unknown" in text
    assert "team/app:no-such-tag" in text
    assert "check the tag" in text


def test_unknown_repository(client) -> None:
    with pytest.raises(RegistryError, match="unknown"):
        client.get_manifest("team/absent", "latest")


def test_missing_blob(client) -> None:
    with pytest.raises(RegistryError, match="missing from registry"):
        client.open_blob("team/app", Digest("sha256:" + "0" * 64))


def test_wrong_pinned_digest_is_a_mismatch_not_a_read(client, plain_registry) -> None:
    # a digest the registry does not hold: 404, never other content
    with pytest.raises(RegistryError, match="manifest unknown"):
        client.get_manifest("team/app", "sha256:" + "1" * 64)


def test_head_manifest(client, plain_registry) -> None:
    desc = client.head_manifest("team/app", "multi")
    data = plain_registry.raw_manifest("team/app:multi")
    assert desc is not None
    assert (desc.digest, desc.size, desc.media_type) == (
        _sha256(data),
        len(data),
        MediaType.OCI_INDEX,
    )
    assert client.head_manifest("team/app", "gone") is None


def test_tags_and_paginated_catalog(plain_registry, options, oci_layout) -> None:
    for tag in ("t3", "t1", "t2"):
        plain_registry.push(oci_layout, "amd64", f"paged/app:{tag}")
    with RegistryClient(plain_registry.host, options) as client:
        # distribution 2.8 ignores n= for tags (the fake-server tests cover Link paging)
        assert client.list_tags("paged/app", page_size=1) == ["t1", "t2", "t3"]
        # ... but pages the catalog with Link headers, one repository per page here
        repositories = client.catalog(page_size=1)
        assert repositories == sorted(repositories)
    assert {"team/app", "paged/app"} <= set(repositories)


def test_push_blob_manifest_and_mount(plain_registry, options) -> None:
    with RegistryPusher(plain_registry.host, options) as client:
        config = b'{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}'
        digest = client.upload_blob("pushed/app", config)
        assert digest == _sha256(config)
        assert client.blob_exists("pushed/app", digest)
        assert client.upload_blob("pushed/app", config) == digest  # idempotent
        manifest = json.dumps(
            {
                "schemaVersion": 2,
                "mediaType": MediaType.OCI_MANIFEST,
                "config": {
                    "mediaType": MediaType.OCI_CONFIG,
                    "digest": digest,
                    "size": len(config),
                },
                "layers": [],
            }
        ).encode()
        manifest_digest = client.put_manifest("pushed/app", "v1", manifest, MediaType.OCI_MANIFEST)
        assert client.mount_blob("mounted/app", digest, "pushed/app") is True
        assert client.blob_exists("mounted/app", digest)
        assert client.upload_blob("mounted2/app", config, mount_from="pushed/app") == digest
        with pytest.raises(DigestMismatch):
            client.upload_blob("pushed/app", b"other", digest=digest)
    # an independent client sees exactly what was pushed
    assert plain_registry.raw_manifest("pushed/app:v1") == manifest
    assert manifest_digest == _sha256(manifest)


def test_referrers_api_missing_means_fallback(client, plain_registry) -> None:
    digest = Digest(_sha256(plain_registry.raw_manifest("team/app:amd64")))
    assert client.referrers("team/app", digest) is None


def test_plain_http_without_insecure_explains(plain_registry, empty_docker_config) -> None:
    options = RegistryOptions(docker_config=empty_docker_config, timeout=5)
    with (
        RegistryClient(plain_registry.host, options) as client,
        pytest.raises(RegistryError) as info,
    ):
        client.get_manifest("team/app", "amd64")
    assert "plain HTTP" in info.value.diagnostics()
    assert "--insecure" in info.value.diagnostics()


def test_insecure_is_refused_for_non_loopback_hosts() -> None:
    with pytest.raises(UsageError) as info:
        RegistryClient("registry.example.com", RegistryOptions(insecure=True))
    assert "--insecure-registry registry.example.com" in info.value.diagnostics()


def test_registry_down_fails_fast_and_clearly(empty_docker_config, closed_port) -> None:
    port = closed_port
    options = RegistryOptions(insecure=True, docker_config=empty_docker_config)
    started = time.monotonic()
    with (
        RegistryClient(f"127.0.0.1:{port}", options) as client,
        pytest.raises(RegistryError) as info,
    ):
        client.get_manifest("team/app", "latest")
    assert time.monotonic() - started < 2
    assert info.value.diagnostics().startswith(
        f"cannot reach registry 127.0.0.1:{port}: connection refused"
    )


@pytest.mark.parametrize(("platform", "arch"), [("linux/amd64", "amd64"), ("linux/arm64", "arm64")])
def test_loader_resolves_registry_images(plain_registry, options, platform, arch) -> None:
    """The integrator's loader over RegistrySource: platform pick, config and layer digests."""
    from hullguard.image.loader import OpenOptions, parse_platform_flag, resolve

    ref = parse_registry_reference(f"{plain_registry.host}/team/app:multi")
    source = open_registry_source(ref, options)
    image = resolve(source, str(ref), OpenOptions(platform=parse_platform_flag(platform)))
    try:
        assert image.config.architecture == arch
        assert image.index_digest == _sha256(plain_registry.raw_manifest("team/app:multi"))
        [layer] = image.layers
        with image.open_layer(layer) as tar:
            names = {entry.path for entry in tar}
        assert "/etc/os-release" in names
    finally:
        image.close()
