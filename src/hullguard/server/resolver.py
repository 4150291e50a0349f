"""Registry lookups the webhook needs: tag -> verified digest, signature evidence, base age.

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
from hullguard.policy.model import BaseAge
from hullguard.sign.policy import Evidence


class Resolver(Protocol):
    def digest(self, ref: RegistryReference) -> Digest: ...

    def evidence(self, ref: RegistryReference) -> Evidence: ...

    def base_age(self, pinned: str) -> BaseAge: ...


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

    def base_age(self, pinned: str) -> BaseAge:
        """When the base of ``pinned`` (``name@digest``) was built (see policy.base_age)."""
        from hullguard.policy.base_age import registry_base_age

        return registry_base_age(pinned, self.options)
