"""Every ``registry/repository:tag`` of a registry (``/v2/_catalog``) or of one repository.

Listing follows the registry's ``Link`` pagination (the registry client's
``catalog`` and ``list_tags``); auth, TLS and the plain-HTTP loopback rules are
the client's. A repository without tags contributes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hullguard.errors import UsageError
from hullguard.image.registry.client import RegistryClient


@dataclass(frozen=True)
class RegistryTarget:
    """``REGISTRY`` or ``REGISTRY/REPO`` as typed on the command line."""

    registry: str
    repository: str | None


def parse_target(text: str) -> RegistryTarget:
    """Split ``host[:port][/repo/path]``; a scheme or a tag is a usage error."""
    text = text.strip().rstrip("/")
    if "://" in text:
        raise UsageError(
            f"give a registry host, not a URL: {text!r}",
            hint="e.g. registry.example.com:5000 or registry.example.com:5000/team/app",
        )
    registry, _, repository = text.partition("/")
    if not registry:
        raise UsageError("missing registry host", hint="e.g. registry.example.com:5000")
    if repository and (":" in repository or "@" in repository):
        raise UsageError(
            f"{text!r} names a tag or digest; scan-registry takes REGISTRY[/REPO]",
            hint="to queue one image use `hullguard inventory enqueue IMAGE`",
        )
    return RegistryTarget(registry, repository or None)


def registry_references(
    client: RegistryClient,
    target: RegistryTarget,
    page_size: int | None = None,
    on_repository: Callable[[str, int], None] | None = None,
) -> list[str]:
    """``registry/repo:tag`` for every tag of the target's repositories, sorted."""
    repositories = [target.repository] if target.repository else client.catalog(page_size=page_size)
    refs: list[str] = []
    for repository in repositories:
        tags = client.list_tags(repository, page_size=page_size)
        if on_repository is not None:
            on_repository(repository, len(tags))
        refs.extend(f"{target.registry}/{repository}:{tag}" for tag in tags)
    return sorted(refs)
