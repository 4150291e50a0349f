"""How signatures and attestations are laid out in a registry (sans-I/O).

Two storage modes, both readable by cosign:

- cosign's tag schema: ``sha256-<hex>.sig`` / ``.att`` tags holding an OCI image
  manifest (always OCI, even for a Docker schema 2 image: skopeo rejects a
  schema 2 one) whose layers are the payloads; re-signing appends a layer.
- OCI 1.1 referrers: an artifact manifest whose ``subject`` is the image,
  holding one Sigstore bundle; registries without the referrers API get the
  fallback index at the ``sha256-<hex>`` tag.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from hullguard.errors import VerificationError
from hullguard.image.interface import MediaType
from hullguard.model.image import Digest

SIMPLESIGNING_MEDIA_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json"
DSSE_MEDIA_TYPE = "application/vnd.dsse.envelope.v1+json"
BUNDLE_MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json"
EMPTY_MEDIA_TYPE = "application/vnd.oci.empty.v1+json"
EMPTY_BLOB = b"{}"
SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature"
PREDICATE_ANNOTATION = "predicateType"
BUNDLE_CONTENT_ANNOTATION = "dev.sigstore.bundle.content"
BUNDLE_PREDICATE_ANNOTATION = "dev.sigstore.bundle.predicateType"
MAX_LAYERS = 256


class AttachmentKind(StrEnum):
    """The cosign tag suffixes."""

    SIGNATURE = "sig"
    ATTESTATION = "att"


def blob_digest(data: bytes) -> Digest:
    return Digest(f"sha256:{hashlib.sha256(data).hexdigest()}")


def attachment_tag(digest: Digest, kind: AttachmentKind) -> str:
    """``sha256:abc`` -> ``sha256-abc.sig``."""
    return f"{digest.replace(':', '-')}.{kind.value}"


def fallback_tag(digest: Digest) -> str:
    """The OCI 1.1 referrers tag-schema fallback tag: ``sha256-abc``."""
    return digest.replace(":", "-")


@dataclass(frozen=True)
class Layer:
    """One payload layer of a ``.sig``/``.att`` manifest."""

    media_type: str
    digest: Digest
    size: int
    annotations: dict[str, str] = field(default_factory=dict)

    def descriptor(self) -> dict[str, Any]:
        out: dict[str, Any] = {"mediaType": self.media_type, "size": self.size}
        out["digest"] = self.digest
        if self.annotations:
            out["annotations"] = dict(sorted(self.annotations.items()))
        return out


def _config(layers: list[Layer]) -> bytes:
    doc = {
        "architecture": "",
        "created": "0001-01-01T00:00:00Z",
        "history": [{"created": "0001-01-01T00:00:00Z"} for _ in layers],
        "os": "",
        "rootfs": {"type": "layers", "diff_ids": [layer.digest for layer in layers]},
        "config": {},
    }
    return json.dumps(doc, separators=(",", ":")).encode()


def attachment_manifest(layers: list[Layer]) -> tuple[bytes, bytes]:
    """(manifest, config) of a ``.sig``/``.att`` image holding ``layers``."""
    config = _config(layers)
    manifest = {
        "schemaVersion": 2,
        "mediaType": MediaType.OCI_MANIFEST.value,
        "config": {
            "mediaType": MediaType.OCI_CONFIG.value,
            "size": len(config),
            "digest": blob_digest(config),
        },
        "layers": [layer.descriptor() for layer in layers],
    }
    return json.dumps(manifest, separators=(",", ":")).encode(), config


def _json_object(data: bytes, what: str) -> dict[str, Any]:
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise VerificationError(f"{what} is not JSON") from exc
    if not isinstance(doc, dict):
        raise VerificationError(f"{what} is not a JSON object")
    return doc


def parse_layers(manifest: bytes, what: str) -> list[Layer]:
    """The payload layers of a ``.sig``/``.att`` manifest (also a Docker schema 2 one)."""
    doc = _json_object(manifest, what)
    layers = doc.get("layers")
    if not isinstance(layers, list) or len(layers) > MAX_LAYERS:
        raise VerificationError(f"{what} has no usable layer list")
    out: list[Layer] = []
    for item in layers:
        if not isinstance(item, dict):
            continue
        annotations = item.get("annotations") or {}
        size, digest = item.get("size"), item.get("digest")
        if not isinstance(size, int) or not isinstance(digest, str) or size < 0:
            continue
        out.append(
            Layer(
                str(item.get("mediaType", "")),
                Digest(digest),
                size,
                {str(k): str(v) for k, v in annotations.items()}
                if isinstance(annotations, dict)
                else {},
            )
        )
    return out


def referrer_manifest(
    subject_media_type: str, subject: Digest, subject_size: int, bundle: bytes,
    annotations: dict[str, str],
) -> bytes:  # fmt: skip
    """An OCI 1.1 artifact manifest holding one Sigstore bundle about ``subject``."""
    manifest = {
        "schemaVersion": 2,
        "mediaType": MediaType.OCI_MANIFEST.value,
        "artifactType": BUNDLE_MEDIA_TYPE,
        "config": {"mediaType": EMPTY_MEDIA_TYPE, "size": 2, "digest": blob_digest(EMPTY_BLOB)},
        "layers": [
            {"mediaType": BUNDLE_MEDIA_TYPE, "size": len(bundle), "digest": blob_digest(bundle)}
        ],
        "subject": {"mediaType": subject_media_type, "size": subject_size, "digest": subject},
        "annotations": dict(sorted(annotations.items())),
    }
    return json.dumps(manifest, separators=(",", ":")).encode()


@dataclass(frozen=True)
class ReferrerEntry:
    media_type: str
    digest: Digest
    size: int
    artifact_type: str
    annotations: dict[str, str]

    def descriptor(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "mediaType": self.media_type,
            "digest": self.digest,
            "size": self.size,
            "artifactType": self.artifact_type,
        }
        if self.annotations:
            out["annotations"] = dict(sorted(self.annotations.items()))
        return out


def parse_referrers_index(data: bytes, what: str) -> list[ReferrerEntry]:
    doc = _json_object(data, what)
    out: list[ReferrerEntry] = []
    for item in doc.get("manifests") or []:
        if not isinstance(item, dict) or not isinstance(item.get("digest"), str):
            continue
        annotations = item.get("annotations") if isinstance(item.get("annotations"), dict) else {}
        out.append(
            ReferrerEntry(
                str(item.get("mediaType", "")),
                Digest(item["digest"]),
                int(item.get("size", 0)) if isinstance(item.get("size"), int) else 0,
                str(item.get("artifactType", "")),
                {str(k): str(v) for k, v in (annotations or {}).items()},
            )
        )
    return out


def referrers_index(entries: list[ReferrerEntry]) -> bytes:
    """The fallback index listing ``entries`` (deduplicated by digest, sorted)."""
    unique = {e.digest: e for e in entries}
    doc = {
        "schemaVersion": 2,
        "mediaType": MediaType.OCI_INDEX.value,
        "manifests": [unique[d].descriptor() for d in sorted(unique)],
    }
    return json.dumps(doc, separators=(",", ":")).encode()
