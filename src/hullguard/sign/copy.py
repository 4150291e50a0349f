"""Copy an image between registries and OCI layouts with its signatures and attestations.

Manifests are copied byte for byte (so the digest, and with it every
signature, stays valid); blobs are verified while read and mounted when source
and destination repositories share a registry. Then the cosign ``.sig``/``.att``
tags and the OCI 1.1 referrers follow; a destination registry without the
referrers API gets the ``sha256-<hex>`` fallback index.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hullguard.errors import MalformedImage, SourceError, UsageError
from hullguard.image.interface import INDEX_TYPES, MediaType
from hullguard.image.reference import ImageReference, Transport, parse_reference
from hullguard.image.registry import RegistryClient, RegistryOptions, RegistryPusher
from hullguard.model.image import Digest
from hullguard.sign.attachments import (
    AttachmentKind,
    ReferrerEntry,
    attachment_tag,
    fallback_tag,
    parse_referrers_index,
    referrers_index,
)
from hullguard.sign.endpoints import Endpoint, LayoutEndpoint, RegistryEndpoint

_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class CopyResult:
    digest: Digest
    copied: tuple[str, ...]


def _json(data: bytes) -> dict[str, Any]:
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedImage("manifest to copy is not JSON") from exc
    if not isinstance(doc, dict):
        raise MalformedImage("manifest to copy is not a JSON object")
    return doc


class _Copier:
    def __init__(self, src: Endpoint, dst: Endpoint) -> None:
        self.src, self.dst = src, dst

    def _mount(self, digest: Digest) -> bool:
        src, dst = self.src, self.dst
        if not (isinstance(src, RegistryEndpoint) and isinstance(dst, RegistryEndpoint)):
            return False
        pusher = dst.client
        if src.client.registry != pusher.registry or not isinstance(pusher, RegistryPusher):
            return False
        return pusher.mount_blob(dst.repository, digest, src.repository)

    def blob(self, digest: Digest, size: int | None) -> None:
        if self.dst.has_blob(digest) or self._mount(digest):
            return
        with tempfile.TemporaryFile() as spool:
            with self.src.open_blob(digest, size) as stream:
                while chunk := stream.read(_CHUNK):
                    spool.write(chunk)
            spool.seek(0)
            self.dst.put_blob(digest, spool)

    def manifest(self, reference: str, tag: str | None = None) -> Digest:
        raw = self.src.manifest(reference)
        assert raw.digest is not None
        doc = _json(raw.data)
        if raw.media_type in INDEX_TYPES:
            for child in doc.get("manifests") or []:
                self.manifest(str(child["digest"]))
        else:
            config = doc.get("config") or {}
            if config.get("digest"):
                self.blob(Digest(config["digest"]), config.get("size"))
            for layer in doc.get("layers") or []:
                self.blob(Digest(layer["digest"]), layer.get("size"))
        media_type = raw.media_type or str(doc.get("mediaType") or MediaType.OCI_MANIFEST)
        self.dst.put_manifest(tag or raw.digest, raw.data, media_type)
        return raw.digest


def _source_referrers(src: Endpoint, digest: Digest) -> list[ReferrerEntry]:
    found = src.referrers(digest)
    if found is not None:
        return found
    tag = fallback_tag(digest)
    if src.head(tag) is None:
        return []
    return parse_referrers_index(src.manifest(tag).data, f"fallback index {tag}")


@contextlib.contextmanager
def open_endpoint(
    ref: ImageReference, options: RegistryOptions, *, write: bool
) -> Iterator[tuple[Endpoint, str | None]]:
    """The endpoint for ``ref`` and the tag/digest it names (``None``: none given)."""
    if ref.transport == Transport.OCI_LAYOUT and ref.path is not None:
        yield LayoutEndpoint(ref.path), ref.selector.lstrip("@") if ref.selector else None
        return
    if ref.transport != Transport.REGISTRY or ref.registry is None:
        raise UsageError(f"copy reads and writes registries and oci:DIR layouts, not {ref.raw}")
    reg = ref.registry
    client = (RegistryPusher if write else RegistryClient)(reg.registry, options)
    with client:
        yield RegistryEndpoint(client, reg.repository, reg.name), reg.digest or reg.tag


def copy_image(
    src: str,
    dst: str,
    options: RegistryOptions,
    *,
    dst_options: RegistryOptions | None = None,
    warn: Callable[[str], None] = lambda _m: None,
) -> CopyResult:
    """Copy ``src`` to ``dst`` with its ``.sig``, ``.att`` and referrers.

    ``options`` serve the source, ``dst_options`` (default: the same) the destination.
    """
    src_ref, dst_ref = parse_reference(src), _destination(dst)
    copied: list[str] = []
    with (
        open_endpoint(src_ref, options, write=False) as (source, wanted),
        open_endpoint(dst_ref, dst_options or options, write=True) as (target, dst_tag),
    ):
        found = source.head(wanted or "latest")
        if found is None:
            raise SourceError(f"{src} not found", hint="check the name and tag")
        if wanted is None or not wanted.startswith("sha256:"):
            warn(f"{src} is a tag; copying its current digest {found.digest}")
        copier = _Copier(source, target)
        tag = dst_tag if dst_tag and not dst_tag.startswith("sha256:") else None
        copier.manifest(found.digest, tag)
        copied.append(f"{target.name}@{found.digest}")
        for kind in AttachmentKind:
            attachment = attachment_tag(found.digest, kind)
            if source.head(attachment) is not None:
                copier.manifest(attachment, attachment)
                copied.append(f"{target.name}:{attachment}")
        referrers = _source_referrers(source, found.digest)
        for entry in referrers:
            copier.manifest(entry.digest)
            copied.append(f"{target.name}@{entry.digest}")
        if referrers and target.referrers(found.digest) is None:
            existing = _source_referrers(target, found.digest)
            target.put_referrers_fallback(found.digest, referrers_index(existing + referrers))
    return CopyResult(found.digest, tuple(copied))


def _destination(text: str) -> ImageReference:
    if text.startswith("oci:"):
        path, _, tag = text[4:].partition(":")
        return ImageReference(Transport.OCI_LAYOUT, text, path=Path(path), selector=tag or None)
    return parse_reference(text)
