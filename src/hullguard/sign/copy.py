"""Copy an image between registries together with its signatures and attestations.

Manifests are copied byte for byte (so the digest, and with it every
signature, stays valid); blobs are mounted when source and destination share
a registry, else streamed through a temporary file. Then the cosign
``.sig``/``.att`` tags and the OCI 1.1 referrers (with the tag fallback) follow.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hullguard.errors import MalformedImage
from hullguard.image.interface import INDEX_TYPES, MediaType
from hullguard.image.reference import RegistryReference
from hullguard.image.registry import RegistryClient, RegistryOptions, RegistryPusher
from hullguard.model.image import Digest
from hullguard.sign.attachments import (
    AttachmentKind,
    attachment_tag,
    fallback_tag,
    referrers_index,
)
from hullguard.sign.store import Target, fallback_entries, list_referrers, resolve

_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class CopyResult:
    digest: Digest
    copied: tuple[str, ...]


class _Copier:
    def __init__(
        self, src: RegistryClient, dst: RegistryPusher, src_repo: str, dst_repo: str
    ) -> None:
        self.src, self.dst, self.src_repo, self.dst_repo = src, dst, src_repo, dst_repo
        self.same_registry = src.registry == dst.registry

    def blob(self, digest: Digest, size: int | None) -> None:
        if self.dst.blob_exists(self.dst_repo, digest):
            return
        if self.same_registry and self.dst.mount_blob(self.dst_repo, digest, self.src_repo):
            return
        # upload_blob is monolithic: spool through a temp file rather than memory twice
        with tempfile.TemporaryFile() as spool:
            with self.src.open_blob(self.src_repo, digest, size=size, verify=True) as stream:
                while chunk := stream.read(_CHUNK):
                    spool.write(chunk)
            spool.seek(0)
            self.dst.upload_blob(self.dst_repo, spool.read(), digest=digest)

    def manifest(self, reference: str, tag: str | None = None) -> Digest:
        raw = self.src.get_manifest(self.src_repo, reference)
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
        self.dst.put_manifest(self.dst_repo, tag or raw.digest, raw.data, media_type)
        return raw.digest


def _json(data: bytes) -> dict[str, Any]:
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedImage("manifest to copy is not JSON") from exc
    if not isinstance(doc, dict):
        raise MalformedImage("manifest to copy is not a JSON object")
    return doc


def copy_image(
    src: RegistryReference,
    dst: RegistryReference,
    options: RegistryOptions,
    *,
    dst_options: RegistryOptions | None = None,
    warn: Callable[[str], None] = lambda _m: None,
) -> CopyResult:
    """Copy ``src`` to ``dst`` (tag or digest) with its ``.sig``, ``.att`` and referrers.

    ``options`` serve the source, ``dst_options`` (default: the same) the destination.
    """
    copied: list[str] = []
    with RegistryClient(src.registry, options) as client:
        pusher = RegistryPusher(dst.registry, dst_options or options)
        with pusher:
            target = resolve(client, src, warn)
            copier = _Copier(client, pusher, src.repository, dst.repository)
            copier.manifest(target.digest, dst.tag if dst.digest is None else None)
            copied.append(f"{dst.name}@{target.digest}")
            for kind in AttachmentKind:
                tag = attachment_tag(target.digest, kind)
                if client.head_manifest(src.repository, tag) is not None:
                    copier.manifest(tag, tag)
                    copied.append(f"{dst.name}:{tag}")
            referrers = list_referrers(client, target)
            for entry in referrers:
                copier.manifest(entry.digest)
                copied.append(f"{dst.name}@{entry.digest}")
            if referrers and pusher.referrers(dst.repository, target.digest) is None:
                moved = Target(dst, target.digest, target.media_type, target.size)
                index = referrers_index(fallback_entries(pusher, moved) + referrers)
                tag = fallback_tag(target.digest)
                pusher.put_manifest(dst.repository, tag, index, MediaType.OCI_INDEX)
    return CopyResult(target.digest, tuple(copied))
