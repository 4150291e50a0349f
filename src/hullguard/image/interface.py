"""The ``ImageSource`` interface every image transport implements.

A source knows how to fetch the *root* object a reference names (an image
manifest or an index), child manifests of an index, and blobs. It does not
parse or verify them: :mod:`hullguard.image.loader` does that once for all
sources, so every transport gets the same checks.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from enum import StrEnum
from typing import BinaryIO

from hullguard.model.image import Descriptor, Digest


class MediaType(StrEnum):
    """Media types hullguard understands."""

    OCI_INDEX = "application/vnd.oci.image.index.v1+json"
    OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
    OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
    OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"
    OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
    OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd"
    OCI_LAYER_ND = "application/vnd.oci.image.layer.nondistributable.v1.tar"
    OCI_LAYER_ND_GZIP = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
    OCI_LAYER_ND_ZSTD = "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"
    DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
    DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
    DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
    DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar"
    DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip"
    DOCKER_FOREIGN_LAYER = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"


INDEX_TYPES = frozenset({MediaType.OCI_INDEX, MediaType.DOCKER_MANIFEST_LIST})
MANIFEST_TYPES = frozenset({MediaType.OCI_MANIFEST, MediaType.DOCKER_MANIFEST})


@dataclass(frozen=True)
class RawManifest:
    """Bytes of a manifest or index as fetched, before parsing.

    ``media_type`` is what the transport said (HTTP Content-Type, descriptor);
    it may be empty, in which case the loader sniffs the JSON. ``digest`` is
    the digest the bytes must have (``None`` for synthesized manifests, e.g. a
    classic ``docker save`` archive that carries no manifest of its own).
    """

    data: bytes
    media_type: str
    digest: Digest | None


class ImageSource(ABC):
    """A transport that can hand out manifests and blobs of one image reference."""

    #: human-readable name of what is being read, used in messages
    description: str = ""

    @abstractmethod
    def root(self) -> RawManifest:
        """The manifest or index the reference names."""

    @abstractmethod
    def child_manifest(self, descriptor: Descriptor) -> RawManifest:
        """A manifest referenced from an index."""

    @abstractmethod
    def open_blob(self, descriptor: Descriptor) -> BinaryIO:
        """A raw (still compressed) stream of a blob; the caller verifies its digest."""

    def blob_verified_by_diff_id(self, descriptor: Descriptor) -> bool:
        """True when the blob digest is unknown and only the diff_id can be checked.

        Classic ``docker save`` archives store layers without their
        distribution digest; their content is still verified against the
        config's diff_ids.
        """
        return False

    def fork_safe(self) -> bool:
        """True when forked worker processes may read blobs of this source in parallel.

        Sources holding sockets or shared file offsets answer ``False`` (the
        default) unless :meth:`after_fork` gives each worker its own handles.
        """
        return False

    def after_fork(self) -> None:
        """Called in a forked worker before it reads blobs: reopen per-process handles."""
        return None

    def close(self) -> None:
        """Release files, sockets and scratch space."""
        return None

    def __enter__(self) -> ImageSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
