"""Registry I/O for signatures and attestations: resolve, read and write attachments.

The formats are built and parsed in :mod:`.attachments`; this module only
moves bytes through :class:`RegistryClient` / :class:`RegistryPusher`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hullguard.errors import LimitExceeded, RegistryError, SourceError, VerificationError
from hullguard.image.interface import MediaType
from hullguard.image.reference import RegistryReference
from hullguard.image.registry import RegistryClient, RegistryPusher
from hullguard.model.image import Digest
from hullguard.sign.attachments import (
    BUNDLE_MEDIA_TYPE,
    EMPTY_BLOB,
    EMPTY_MEDIA_TYPE,
    AttachmentKind,
    Layer,
    ReferrerEntry,
    attachment_manifest,
    attachment_tag,
    blob_digest,
    fallback_tag,
    parse_layers,
    parse_referrers_index,
    referrer_manifest,
    referrers_index,
)

MAX_PAYLOAD_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class Target:
    """The image being signed or verified, always by digest."""

    ref: RegistryReference
    digest: Digest
    media_type: str
    size: int

    @property
    def repository(self) -> str:
        return self.ref.repository


def resolve(client: RegistryClient, ref: RegistryReference, warn: Callable[[str], None]) -> Target:
    """The digest ``ref`` names now; warns when it was a tag (tags can move)."""
    descriptor = client.head_manifest(ref.repository, ref.reference)
    if descriptor is None:
        raise SourceError(f"image {ref} not found", hint="check the name, tag and registry")
    if ref.digest is None:
        warn(
            f"{ref} is a tag; using its current digest {descriptor.digest} "
            f"(pin {ref.name}@{descriptor.digest} to be sure what you sign or verify)"
        )
    elif descriptor.digest != ref.digest:
        raise VerificationError(f"registry returned {descriptor.digest} for {ref}")
    return Target(ref, descriptor.digest, str(descriptor.media_type), descriptor.size)


def _fetch_payload(client: RegistryClient, repository: str, layer: Layer) -> bytes | None:
    if layer.size > MAX_PAYLOAD_BYTES:
        return None
    try:
        return client.get_blob(repository, layer.digest, max_bytes=MAX_PAYLOAD_BYTES)
    except (LimitExceeded, SourceError):
        return None


def read_attachment(
    client: RegistryClient, target: Target, kind: AttachmentKind
) -> list[tuple[Layer, bytes | None]]:
    """Layers of the ``.sig``/``.att`` tag with their payloads (``None``: unreadable)."""
    tag = attachment_tag(target.digest, kind)
    if client.head_manifest(target.repository, tag) is None:
        return []
    raw = client.get_manifest(target.repository, tag)
    layers = parse_layers(raw.data, f"{kind.value} manifest {tag}")
    return [(layer, _fetch_payload(client, target.repository, layer)) for layer in layers]


def append_attachment(
    pusher: RegistryPusher, target: Target, kind: AttachmentKind, layer: Layer, payload: bytes
) -> Digest:
    """Add one payload layer to the ``.sig``/``.att`` manifest (created when absent)."""
    tag = attachment_tag(target.digest, kind)
    layers: list[Layer] = []
    if pusher.head_manifest(target.repository, tag) is not None:
        existing = pusher.get_manifest(target.repository, tag)
        layers = parse_layers(existing.data, f"{kind.value} manifest {tag}")
    layers = [x for x in layers if x.digest != layer.digest or x.annotations != layer.annotations]
    layers.append(layer)
    manifest, config = attachment_manifest(layers)
    pusher.upload_blob(target.repository, payload, digest=layer.digest)
    pusher.upload_blob(target.repository, config)
    return pusher.put_manifest(target.repository, tag, manifest, MediaType.OCI_MANIFEST)


def attach_referrer(
    pusher: RegistryPusher, target: Target, bundle: bytes, annotations: dict[str, str]
) -> Digest:
    """Store a Sigstore bundle as a referrer of the image (tag fallback when needed)."""
    manifest = referrer_manifest(target.media_type, target.digest, target.size, bundle, annotations)
    pusher.upload_blob(target.repository, EMPTY_BLOB)
    pusher.upload_blob(target.repository, bundle)
    digest = blob_digest(manifest)
    pusher.put_manifest(target.repository, digest, manifest, MediaType.OCI_MANIFEST)
    if pusher.referrers(target.repository, target.digest) is not None:
        return digest
    tag = fallback_tag(target.digest)
    entries = fallback_entries(pusher, target)
    entries.append(
        ReferrerEntry(MediaType.OCI_MANIFEST, digest, len(manifest), BUNDLE_MEDIA_TYPE, annotations)
    )
    pusher.put_manifest(target.repository, tag, referrers_index(entries), MediaType.OCI_INDEX)
    return digest


def fallback_entries(client: RegistryClient, target: Target) -> list[ReferrerEntry]:
    """Entries of the ``sha256-<hex>`` fallback index (empty when there is none)."""
    tag = fallback_tag(target.digest)
    if client.head_manifest(target.repository, tag) is None:
        return []
    raw = client.get_manifest(target.repository, tag)
    return parse_referrers_index(raw.data, f"referrers fallback index {tag}")


def list_referrers(client: RegistryClient, target: Target) -> list[ReferrerEntry]:
    """Referrers from the API, or from the fallback tag when the registry lacks it."""
    raw = client.referrers(target.repository, target.digest)
    if raw is not None:
        return parse_referrers_index(raw.data, f"referrers of {target.digest}")
    return fallback_entries(client, target)


def read_bundles(client: RegistryClient, target: Target) -> list[bytes]:
    """Every Sigstore bundle attached to the image as a referrer."""
    out: list[bytes] = []
    for entry in list_referrers(client, target):
        # cosign (go-containerregistry) lists its bundles with the config's media type
        if entry.artifact_type not in (BUNDLE_MEDIA_TYPE, EMPTY_MEDIA_TYPE, ""):
            continue
        try:
            raw = client.get_manifest(target.repository, entry.digest)
            layers = parse_layers(raw.data, f"referrer {entry.digest}")
        except (RegistryError, VerificationError, SourceError):
            continue
        for layer in layers:
            if layer.media_type == BUNDLE_MEDIA_TYPE:
                payload = _fetch_payload(client, target.repository, layer)
                if payload is not None:
                    out.append(payload)
    return out
