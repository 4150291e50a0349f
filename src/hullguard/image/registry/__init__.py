"""Images in OCI distribution registries: client, auth, credentials, TLS rules, source."""

from hullguard.image.registry.client import RegistryClient
from hullguard.image.registry.credentials import Credentials
from hullguard.image.registry.options import Endpoint, RegistryOptions, resolve_endpoint
from hullguard.image.registry.push import RegistryPusher
from hullguard.image.registry.source import RegistrySource, open_registry_source

__all__ = [
    "Credentials",
    "Endpoint",
    "RegistryClient",
    "RegistryOptions",
    "RegistryPusher",
    "RegistrySource",
    "open_registry_source",
    "resolve_endpoint",
]
