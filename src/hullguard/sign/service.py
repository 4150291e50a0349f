"""Orchestrators: sign, verify, attest and verify attestations of a registry image.

Each resolves the reference to a digest, builds or checks the payloads with the
sans-I/O modules and moves bytes through :mod:`.store`.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from hullguard.errors import UsageError
from hullguard.image.reference import RegistryReference
from hullguard.image.registry import RegistryClient, RegistryOptions, RegistryPusher
from hullguard.model.image import Digest
from hullguard.sign.attachments import (
    BUNDLE_CONTENT_ANNOTATION as BUNDLE_CONTENT,
)
from hullguard.sign.attachments import (
    DSSE_MEDIA_TYPE,
    PREDICATE_ANNOTATION,
    SIGNATURE_ANNOTATION,
    SIMPLESIGNING_MEDIA_TYPE,
    AttachmentKind,
    Layer,
    blob_digest,
)
from hullguard.sign.authority import Authority
from hullguard.sign.bundle import dsse_bundle, message_bundle
from hullguard.sign.dsse import IN_TOTO_PAYLOAD_TYPE, build_statement, sign_envelope
from hullguard.sign.policy import Evidence
from hullguard.sign.simplesigning import build_payload, sign_bytes
from hullguard.sign.store import (
    Target,
    append_attachment,
    attach_referrer,
    read_attachment,
    read_bundles,
    resolve,
)
from hullguard.sign.verify import (
    VerifiedAttestation,
    VerifiedSignature,
    check_attestations,
    check_signatures,
)

Warn = Callable[[str], None]


class StorageMode(StrEnum):
    """Where signatures and attestations are written."""

    TAG = "tag"  # cosign's sha256-<hex>.sig / .att tags
    REFERRER = "referrer"  # Sigstore bundle as an OCI 1.1 referrer
    BOTH = "both"


_WRITES_TAG = {StorageMode.TAG: True, StorageMode.REFERRER: False, StorageMode.BOTH: True}
_WRITES_REFERRER = {StorageMode.TAG: False, StorageMode.REFERRER: True, StorageMode.BOTH: True}


@dataclass(frozen=True)
class SignResult:
    reference: str
    digest: Digest
    storage: StorageMode
    stored: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "image": self.reference,
            "digest": self.digest,
            "storage": self.storage.value,
            "stored": list(self.stored),
        }


def docker_reference(ref: RegistryReference) -> str:
    """``host/repo:tag`` when signing a tag (skopeo's default rule wants it), else ``host/repo``."""
    return f"{ref.name}:{ref.tag}" if ref.tag and ref.digest is None else ref.name


def sign_image(
    ref: RegistryReference,
    key: ec.EllipticCurvePrivateKey,
    options: RegistryOptions,
    *,
    annotations: Mapping[str, str] | None = None,
    storage: StorageMode = StorageMode.TAG,
    warn: Warn = lambda _m: None,
) -> SignResult:
    """Sign the digest ``ref`` names now and store the signature in its repository."""
    stored: list[str] = []
    pusher = RegistryPusher(ref.registry, options)
    with pusher:
        target = resolve(pusher, ref, warn)
        if _WRITES_TAG[storage]:
            payload = build_payload(docker_reference(ref), target.digest, annotations)
            signature = base64.b64encode(sign_bytes(key, payload)).decode()
            layer = Layer(
                SIMPLESIGNING_MEDIA_TYPE,
                blob_digest(payload),
                len(payload),
                {SIGNATURE_ANNOTATION: signature},
            )
            append_attachment(pusher, target, AttachmentKind.SIGNATURE, layer, payload)
            stored.append(f"{ref.name}:{target.digest.replace(':', '-')}.sig")
        if _WRITES_REFERRER[storage]:
            if annotations:
                raise UsageError("--annotations are only stored with --storage tag")
            manifest = pusher.get_manifest(target.repository, target.digest).data
            bundle = message_bundle(key, manifest)
            digest = attach_referrer(pusher, target, bundle, {BUNDLE_CONTENT: "message-signature"})
            stored.append(f"{ref.name}@{digest}")
    return SignResult(str(ref), target.digest, storage, tuple(stored))


def verify_image(
    ref: RegistryReference,
    authorities: Sequence[Authority],
    options: RegistryOptions,
    *,
    annotations: Mapping[str, str] | None = None,
    warn: Warn = lambda _m: None,
) -> tuple[Target, list[VerifiedSignature]]:
    """Verified signatures of the image in both storage modes; raises when none verifies."""
    with RegistryClient(ref.registry, options) as client:
        target = resolve(client, ref, warn)
        layers = read_attachment(client, target, AttachmentKind.SIGNATURE)
        bundles = read_bundles(client, target)
    return target, check_signatures(target.digest, authorities, layers, bundles, annotations)


def attest_image(
    ref: RegistryReference,
    key: ec.EllipticCurvePrivateKey,
    options: RegistryOptions,
    predicate_type: str,
    predicate: Any,
    *,
    storage: StorageMode = StorageMode.BOTH,
    warn: Warn = lambda _m: None,
) -> SignResult:
    """Sign an in-toto Statement about the image and attach it (``.att`` and/or referrer)."""
    stored: list[str] = []
    pusher = RegistryPusher(ref.registry, options)
    with pusher:
        target = resolve(pusher, ref, warn)
        statement = build_statement(ref.name, target.digest, predicate_type, predicate)
        envelope = sign_envelope(key, IN_TOTO_PAYLOAD_TYPE, statement)
        if _WRITES_TAG[storage]:
            data = envelope.to_json()
            layer = Layer(
                DSSE_MEDIA_TYPE,
                blob_digest(data),
                len(data),
                {SIGNATURE_ANNOTATION: "", PREDICATE_ANNOTATION: predicate_type},
            )
            append_attachment(pusher, target, AttachmentKind.ATTESTATION, layer, data)
            stored.append(f"{ref.name}:{target.digest.replace(':', '-')}.att")
        if _WRITES_REFERRER[storage]:
            bundle = dsse_bundle(key.public_key(), envelope)
            annotations = {
                BUNDLE_CONTENT: "dsse-envelope",
                "dev.sigstore.bundle.predicateType": predicate_type,
            }
            digest = attach_referrer(pusher, target, bundle, annotations)
            stored.append(f"{ref.name}@{digest}")
    return SignResult(str(ref), target.digest, storage, tuple(stored))


def verify_image_attestations(
    ref: RegistryReference,
    authorities: Sequence[Authority],
    options: RegistryOptions,
    predicate_type: str | None,
    *,
    warn: Warn = lambda _m: None,
) -> tuple[Target, list[VerifiedAttestation]]:
    with RegistryClient(ref.registry, options) as client:
        target = resolve(client, ref, warn)
        layers = read_attachment(client, target, AttachmentKind.ATTESTATION)
        bundles = read_bundles(client, target)
    found = check_attestations(target.digest, authorities, layers, bundles, predicate_type)
    return target, found


def gather_evidence(
    ref: RegistryReference, options: RegistryOptions, *, warn: Warn = lambda _m: None
) -> Evidence:
    """Everything stored about the image, unverified, for :func:`policy.evaluate`."""
    with RegistryClient(ref.registry, options) as client:
        target = resolve(client, ref, warn)
        return Evidence(
            docker_reference(ref),
            target.digest,
            tuple(read_attachment(client, target, AttachmentKind.SIGNATURE)),
            tuple(read_attachment(client, target, AttachmentKind.ATTESTATION)),
            tuple(read_bundles(client, target)),
        )


def load_predicate(data: bytes, source: str) -> Any:
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise UsageError(f"predicate {source} is not JSON", hint="pass a JSON file") from exc
