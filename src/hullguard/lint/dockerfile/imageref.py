"""Image reference normalisation for FROM lines, following distribution/reference.

``alpine`` -> ``docker.io/library/alpine``; ``ghcr.io/o/x:1@sha256:..`` split into
registry, repository, tag and digest. Only what lint needs: it never contacts a
registry. (The full reference parser belongs to ``hullguard.image``.)
"""

from __future__ import annotations

import re

from hullguard.lint.dockerfile.model import ImageRef

DOCKER_HUB = "docker.io"
_HUB_ALIASES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})
_DIGEST = re.compile(r"^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$")
_TAG = re.compile(r"^[\w][\w.-]{0,127}$")
_PATH = re.compile(
    r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$"
)


def parse_image_ref(text: str) -> ImageRef | None:
    """Normalise ``text``; None when it is not a valid reference."""
    remainder, _, digest = text.partition("@")
    if digest and not _DIGEST.match(digest):
        return None
    tag = ""
    slash = remainder.rfind("/")
    colon = remainder.rfind(":")
    if colon > slash:
        remainder, tag = remainder[:colon], remainder[colon + 1 :]
        if not _TAG.match(tag):
            return None
    registry, path = _split_domain(remainder)
    if not path or not _PATH.match(path):
        return None
    return ImageRef(raw=text, registry=registry, repository=path, tag=tag, digest=digest)


def _split_domain(name: str) -> tuple[str, str]:
    first, sep, rest = name.partition("/")
    is_domain = sep and ("." in first or ":" in first or first == "localhost")
    if is_domain:
        registry = DOCKER_HUB if first.lower() in _HUB_ALIASES else first.lower()
        path = rest
    else:
        registry, path = DOCKER_HUB, name
    if registry == DOCKER_HUB and "/" not in path:
        path = f"library/{path}"
    return registry, path


def with_digest(raw: str, digest: str) -> str:
    """``raw`` (as written in the FROM line) pinned to ``digest``, tag kept."""
    base = raw.partition("@")[0]
    return f"{base}@{digest}"
