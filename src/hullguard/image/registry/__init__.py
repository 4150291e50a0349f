"""Images in OCI distribution registries: client, auth, credentials, TLS rules, source.

Names are imported lazily (PEP 562) so that importing the light
``hullguard.image.registry.options`` does not pull in httpx.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hullguard.image.registry.client import RegistryClient
    from hullguard.image.registry.credentials import Credentials
    from hullguard.image.registry.options import Endpoint, RegistryOptions, resolve_endpoint
    from hullguard.image.registry.push import RegistryPusher
    from hullguard.image.registry.source import RegistrySource, open_registry_source

_WHERE = {
    "RegistryClient": "client",
    "Credentials": "credentials",
    "Endpoint": "options",
    "RegistryOptions": "options",
    "resolve_endpoint": "options",
    "RegistryPusher": "push",
    "RegistrySource": "source",
    "open_registry_source": "source",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(name)
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


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
