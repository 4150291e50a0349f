"""Registry connection options and endpoint resolution.

Owns :class:`RegistryOptions` (what the user chose: credentials, TLS, plain
HTTP opt-ins, timeout) and :func:`resolve_endpoint`, which turns a registry
name from a reference into the API base URL, applying Docker Hub's aliases and
the plain-HTTP rules: plain HTTP is allowed for loopback hosts with
``--insecure``, and for any other host only when it is named with
``--insecure-registry HOST`` (with a warning).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from hullguard import __version__
from hullguard.errors import UsageError
from hullguard.limits import DEFAULT_LIMITS, Limits

#: what references call Docker Hub, and where its API actually lives
DOCKER_HUB = "docker.io"
DOCKER_HUB_API = "registry-1.docker.io"
#: the key Docker writes Hub credentials under in config.json
DOCKER_HUB_CONFIG_KEY = "https://index.docker.io/v1/"
DOCKER_HUB_ALIASES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})


class Scheme(StrEnum):
    """URL scheme used to talk to a registry."""

    HTTPS = "https"
    HTTP = "http"


@dataclass(frozen=True)
class RegistryOptions:
    """How to connect to registries; built by the CLI from its flags.

    ``insecure`` allows plain HTTP to loopback registries (localhost,
    127.0.0.0/8, ::1). ``insecure_registries`` names other hosts (``host`` or
    ``host:port``) that may be reached over plain HTTP; using one warns.
    ``docker_config`` overrides the directory holding ``config.json``
    (default: ``$DOCKER_CONFIG`` or ``~/.docker``). ``timeout`` overrides
    ``limits.http_timeout``. TLS verification is never switched off.
    """

    insecure: bool = False
    insecure_registries: frozenset[str] = frozenset()
    ca_cert: Path | None = None
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float | None = None
    docker_config: Path | None = None
    limits: Limits = DEFAULT_LIMITS
    user_agent: str = f"hullguard/{__version__}"

    @property
    def effective_timeout(self) -> float:
        return self.timeout if self.timeout is not None else self.limits.http_timeout


@dataclass(frozen=True)
class Endpoint:
    """Where a registry's API is reached and under which name its credentials are stored."""

    registry: str
    host: str
    scheme: Scheme

    @property
    def base_url(self) -> str:
        return f"{self.scheme.value}://{self.host}"

    @property
    def config_key(self) -> str:
        """The server name Docker uses for this registry in config.json and helpers."""
        return DOCKER_HUB_CONFIG_KEY if self.registry == DOCKER_HUB else self.registry


def split_host_port(host: str) -> tuple[str, int | None]:
    """``[::1]:5000`` -> (``::1``, 5000); ``example.com`` -> (``example.com``, None)."""
    if host.startswith("["):
        inner, _, rest = host[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
        return inner, int(port) if port.isdigit() else None
    name, sep, port = host.rpartition(":")
    if sep and port.isdigit() and ":" not in name:
        return name, int(port)
    return host, None


def is_loopback(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1 (with or without a port)."""
    name, _ = split_host_port(host)
    if name.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _opted_in(host: str, registries: frozenset[str]) -> bool:
    name, _ = split_host_port(host)
    return host in registries or name in registries


def plain_http_allowed(host: str, options: RegistryOptions) -> bool:
    """May ``host`` be contacted over plain HTTP under these options?"""
    if _opted_in(host, options.insecure_registries):
        return True
    return options.insecure and is_loopback(host)


def resolve_endpoint(
    registry: str, options: RegistryOptions, warn: Callable[[str], None] | None = None
) -> Endpoint:
    """The API endpoint of ``registry`` (a reference's registry part).

    Raises :class:`UsageError` when ``--insecure`` asks for plain HTTP to a
    host that is neither loopback nor opted in by ``--insecure-registry``.
    """
    name = DOCKER_HUB if registry in DOCKER_HUB_ALIASES else registry
    host = DOCKER_HUB_API if name == DOCKER_HUB else name
    if _opted_in(name, options.insecure_registries) or _opted_in(host, options.insecure_registries):
        if warn is not None and not is_loopback(host):
            warn(
                f"using plain HTTP for registry {name}: credentials and content "
                "travel unencrypted and can be read or altered on the network"
            )
        return Endpoint(name, host, Scheme.HTTP)
    if options.insecure:
        if not is_loopback(host):
            raise UsageError(
                f"refusing plain HTTP to non-loopback registry {name}",
                hint=f"--insecure only applies to localhost; to accept the risk pass "
                f"--insecure-registry {name}",
            )
        return Endpoint(name, host, Scheme.HTTP)
    return Endpoint(name, host, Scheme.HTTPS)
