"""``RegistrySource``: the :class:`ImageSource` for images in a registry.

Fetches the root manifest or index the reference names (by digest when the
reference carries one, so ``name:tag@sha256:...`` reads exactly that
content), child manifests by digest, and blobs as streams. Nothing is sent
until :meth:`root` is called. Parsing, platform selection and blob digest
checks are the loader's job.
"""

from __future__ import annotations

from typing import BinaryIO

from hullguard.image.interface import ImageSource, RawManifest
from hullguard.image.reference import RegistryReference
from hullguard.image.registry.client import RegistryClient
from hullguard.image.registry.options import RegistryOptions
from hullguard.model.image import Descriptor
from hullguard.progress import NULL_PROGRESS, Progress


class RegistrySource(ImageSource):
    """One image reference in a registry, read through the distribution API."""

    def __init__(
        self,
        ref: RegistryReference,
        options: RegistryOptions | None = None,
        *,
        progress: Progress = NULL_PROGRESS,
        client: RegistryClient | None = None,
    ) -> None:
        self.ref = ref
        self.description = str(ref)
        self.client = client or RegistryClient(ref.registry, options, progress=progress)

    def root(self) -> RawManifest:
        return self.client.get_manifest(self.ref.repository, self.ref.reference)

    def child_manifest(self, descriptor: Descriptor) -> RawManifest:
        return self.client.get_manifest(self.ref.repository, descriptor.digest)

    def open_blob(self, descriptor: Descriptor) -> BinaryIO:
        return self.client.open_blob(self.ref.repository, descriptor.digest, size=descriptor.size)

    def close(self) -> None:
        self.client.close()


def open_registry_source(
    ref: RegistryReference,
    options: RegistryOptions,
    progress: Progress = NULL_PROGRESS,
) -> ImageSource:
    """The source the loader uses for registry references (``open_source``)."""
    return RegistrySource(ref, options, progress=progress)
