"""Real cosign/skopeo signatures from containers/image's test suite, verified by hullguard.

Each ``dir-img-cosign-*`` directory holds a ``manifest.json`` and the
``signature-N`` attachments cosign (or skopeo) produced for it; the expected
outcomes are those of containers/image's own policy tests.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest

from hullguard.errors import VerificationError
from hullguard.model.image import Digest
from hullguard.sign.attachments import Layer, blob_digest
from hullguard.sign.authority import KeyAuthority
from hullguard.sign.keys import load_public_key
from hullguard.sign.verify import check_signatures


def _load(directory: Path) -> tuple[Digest, list[tuple[Layer, bytes | None]]]:
    manifest = (directory / "manifest.json").read_bytes()
    layers: list[tuple[Layer, bytes | None]] = []
    for path in sorted(directory.glob("signature-*")):
        raw = path.read_bytes()
        doc = json.loads(raw[raw.index(b"\n") + 1 :])  # "\0sigstore-json\n" header
        payload = base64.b64decode(doc["payload"])
        layer = Layer(doc["mimeType"], blob_digest(payload), len(payload), doc["annotations"])
        layers.append((layer, payload))
    return Digest(f"sha256:{hashlib.sha256(manifest).hexdigest()}"), layers


@pytest.mark.parametrize(
    ("name", "key", "verified"),
    [
        ("dir-img-cosign-valid", "cosign.pub", 1),
        ("dir-img-cosign-valid-2", "cosign.pub", 2),
        ("dir-img-cosign-valid-with-tag", "cosign.pub", 1),
        ("dir-img-cosign-mixed", "cosign.pub", 1),
        ("dir-img-cosign-key-rekor-valid", "cosign2.pub", 1),
    ],
)
def test_valid_real_signatures_verify(
    containers_image_signatures: Path, name: str, key: str, verified: int
) -> None:
    digest, layers = _load(containers_image_signatures / name)
    authority = KeyAuthority(load_public_key((containers_image_signatures / key).read_bytes()))
    assert len(check_signatures(digest, [authority], layers, [])) == verified


@pytest.mark.parametrize(
    ("name", "key", "reason"),
    [
        ("dir-img-cosign-valid", "cosign2.pub", "does not verify with"),
        ("dir-img-cosign-manifest-digest-error", "cosign.pub", "signature is for sha256:634a8f35"),
        ("dir-img-cosign-modified-manifest", "cosign.pub", "signature is for sha256:634a8f35"),
        ("dir-img-cosign-other-attachment", "cosign.pub", "not a cosign signature"),
    ],
)
def test_invalid_real_signatures_fail(
    containers_image_signatures: Path, name: str, key: str, reason: str
) -> None:
    digest, layers = _load(containers_image_signatures / name)
    authority = KeyAuthority(load_public_key((containers_image_signatures / key).read_bytes()))
    with pytest.raises(VerificationError, match=reason):
        check_signatures(digest, [authority], layers, [])
