"""Image references in FROM lines, normalised by ``hullguard.image.reference``.

``alpine`` -> ``docker.io/library/alpine``. Lint also needs to know whether a tag
was *written* (``FROM alpine`` silently means ``latest``), which the shared
parser normalises away, so :class:`ImageRef` keeps the tag only when explicit.
Never contacts a registry.
"""

from __future__ import annotations

from hullguard.errors import ReferenceError_
from hullguard.image.reference import parse_registry_reference
from hullguard.lint.dockerfile.model import ImageRef


def _written_tag(text: str) -> bool:
    name = text.partition("@")[0]
    return name.rfind(":") > name.rfind("/")


def parse_image_ref(text: str) -> ImageRef | None:
    """Normalise ``text``; None when it is not a valid reference."""
    try:
        ref = parse_registry_reference(text)
    except ReferenceError_:
        return None
    return ImageRef(
        raw=text,
        registry=ref.registry,
        repository=ref.repository,
        tag=(ref.tag or "") if _written_tag(text) else "",
        digest=ref.digest or "",
    )


def with_digest(raw: str, digest: str) -> str:
    """``raw`` (as written in the FROM line) pinned to ``digest``, tag kept."""
    base = raw.partition("@")[0]
    return f"{base}@{digest}"
