"""Builders for small, often hostile, OCI layouts (unit seams: tests of hostile input).

Real-image behaviour is tested in tests/integration with images from real tools;
these layouts exist to reproduce attacks no honest tool would write.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def write_layout(
    root: Path,
    layers: list[bytes],
    *,
    compress: Callable[[bytes], bytes] | None = gzip.compress,
    config_override: dict[str, object] | None = None,
    corrupt_blob: int | None = None,
    diff_ids: list[str] | None = None,
) -> Path:
    blobs = root / "blobs" / "sha256"
    blobs.mkdir(parents=True)

    def put(data: bytes) -> str:
        digest = sha(data)
        (blobs / digest.split(":")[1]).write_bytes(data)
        return digest

    descs = []
    for i, layer in enumerate(layers):
        blob = compress(layer) if compress else layer
        digest = put(blob)
        if corrupt_blob == i:
            path = blobs / digest.split(":")[1]
            pos = min(512, len(blob) - 1)
            path.write_bytes(blob[:pos] + bytes([blob[pos] ^ 0xFF]) + blob[pos + 1 :])
        descs.append(
            {
                "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip"
                if compress
                else "application/vnd.oci.image.layer.v1.tar",
                "digest": digest,
                "size": len(blob),
            }
        )
    config: dict[str, object] = {
        "architecture": "amd64",
        "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": diff_ids or [sha(layer) for layer in layers]},
        "history": [{"created_by": f"step {i}"} for i in range(len(layers))],
        "config": {"User": "app"},
    }
    config.update(config_override or {})
    cfg = json.dumps(config).encode()
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            "digest": put(cfg),
            "size": len(cfg),
        },
        "layers": descs,
    }
    mdata = json.dumps(manifest).encode()
    index = {
        "schemaVersion": 2,
        "manifests": [
            {
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "digest": put(mdata),
                "size": len(mdata),
                "annotations": {"org.opencontainers.image.ref.name": "t"},
            }
        ],
    }
    (root / "index.json").write_text(json.dumps(index))
    (root / "oci-layout").write_text('{"imageLayoutVersion":"1.0.0"}')
    return root


@pytest.fixture
def layout(tmp_path: Path) -> Callable[..., Path]:
    counter = iter(range(1000))

    def make(layers: list[bytes], **kw: object) -> Path:
        return write_layout(tmp_path / f"layout{next(counter)}", layers, **kw)  # type: ignore[arg-type]

    return make
