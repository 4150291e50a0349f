"""Registry lookups the webhook needs: tag -> verified digest, and signature evidence.

Behind a small protocol so the service can be driven by any source; the real
one talks to registries through :class:`hullguard.image.registry.client.RegistryClient`
(``get_manifest`` verifies the manifest bytes against their digest).
"""

from __future__ import annotations

from typing import Protocol

from hullguard.errors import SourceError
from hullguard.image.reference import RegistryReference
from hullguard.image.registry.client import RegistryClient
from hullguard.image.registry.options import RegistryOptions
from hullguard.model.image import Digest
from hullguard.sign.policy import Evidence


class Resolver(Protocol):
    def digest(self, ref: RegistryReference) -> Digest: ...

    def evidence(self, ref: RegistryReference) -> Evidence: ...


class RegistryResolver:
    """Resolves through the real registries with ``options`` (timeouts, TLS, auth)."""

    def __init__(self, options: RegistryOptions) -> None:
        self.options = options

    def digest(self, ref: RegistryReference) -> Digest:
        with RegistryClient(ref.registry, self.options) as client:
            manifest = client.get_manifest(ref.repository, ref.reference)
        if manifest.digest is None:
            raise SourceError(f"registry gave no digest for {ref}", hint="check the registry")
        return manifest.digest

    def evidence(self, ref: RegistryReference) -> Evidence:
        from hullguard.sign.service import gather_evidence

        return gather_evidence(ref, self.options)
