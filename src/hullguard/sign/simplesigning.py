"""Cosign's simple-signing payload and ECDSA-SHA256 signatures over it (sans-I/O).

The payload is what cosign, skopeo and the containers/image library sign::

    {"critical": {"identity": {"docker-reference": "host/repo[:tag]"},
                  "image": {"docker-manifest-digest": "sha256:..."},
                  "type": "cosign container image signature"},
     "optional": {...} | null}

``optional`` must be present (skopeo rejects a payload without it).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from hullguard.errors import VerificationError
from hullguard.model.image import Digest

SIGNATURE_TYPE = "cosign container image signature"
_MAX_PAYLOAD = 1024 * 1024


@dataclass(frozen=True)
class SimpleSigningClaims:
    """What a verified simple-signing payload says."""

    docker_reference: str
    manifest_digest: Digest
    annotations: Mapping[str, str] = field(default_factory=dict)


def build_payload(
    docker_reference: str, digest: Digest, annotations: Mapping[str, str] | None = None
) -> bytes:
    """The payload bytes cosign writes (compact JSON, keys in cosign's order)."""
    doc = {
        "critical": {
            "identity": {"docker-reference": docker_reference},
            "image": {"docker-manifest-digest": digest},
            "type": SIGNATURE_TYPE,
        },
        "optional": dict(sorted(annotations.items())) if annotations else None,
    }
    return json.dumps(doc, separators=(",", ":")).encode()


def sign_bytes(key: ec.EllipticCurvePrivateKey, data: bytes) -> bytes:
    """ASN.1 DER ECDSA signature over SHA-256 of ``data``."""
    return key.sign(data, ec.ECDSA(hashes.SHA256()))


def signature_valid(key: ec.EllipticCurvePublicKey, data: bytes, signature: bytes) -> bool:
    try:
        key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        return False
    return True


def _get(doc: Any, *path: str) -> Any:
    value = doc
    for name in path:
        if not isinstance(value, dict) or name not in value:
            raise VerificationError(f"signed payload has no '{'.'.join(path)}'")
        value = value[name]
    return value


def parse_payload(payload: bytes) -> SimpleSigningClaims:
    """Claims of a payload whose signature was already checked."""
    if len(payload) > _MAX_PAYLOAD:
        raise VerificationError("signed payload is larger than 1 MiB")
    try:
        doc = json.loads(payload)
    except (ValueError, UnicodeDecodeError) as exc:
        raise VerificationError("signed payload is not JSON") from exc
    kind = _get(doc, "critical", "type")
    if kind != SIGNATURE_TYPE:
        raise VerificationError(
            f"signed payload has type {str(kind)[:80]!r}, not {SIGNATURE_TYPE!r}"
        )
    digest = _get(doc, "critical", "image", "docker-manifest-digest")
    reference = _get(doc, "critical", "identity", "docker-reference")
    optional = doc.get("optional") if isinstance(doc, dict) else None
    annotations = (
        {str(k): str(v) for k, v in optional.items()} if isinstance(optional, dict) else {}
    )
    return SimpleSigningClaims(str(reference), Digest(str(digest)), annotations)
