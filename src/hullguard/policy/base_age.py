"""How old an image's base is: the ``created`` of the base the OCI annotations name.

``org.opencontainers.image.base.name`` and ``…base.digest`` (image-spec
annotations, written by BuildKit and ``buildah --identity-label``-style tools)
name the base image; its config's ``created`` is the base's build date. Without
them, or when the base cannot be read, the image's own ``created`` is used and
the :class:`~hullguard.policy.model.BaseAge` says so. The choice is sans-I/O
(:func:`base_age`); :func:`registry_base_age` fetches configs through the
registry client.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from hullguard.errors import HullguardError
from hullguard.image.reference import parse_registry_reference
from hullguard.image.registry.options import RegistryOptions
from hullguard.policy.model import BaseAge

BASE_NAME = "org.opencontainers.image.base.name"
BASE_DIGEST = "org.opencontainers.image.base.digest"

#: ``(base reference pinned by digest) -> created`` of its config ("" when unset)
FetchCreated = Callable[[str], str]


def parse_created(text: str) -> dt.datetime | None:
    """An RFC 3339 ``created`` (nanoseconds and ``Z`` allowed) as aware UTC, or None."""
    text = text.strip()
    if not text:
        return None
    head, dot, frac = text.partition(".")
    if dot:  # fromisoformat takes at most microseconds: trim the fraction, keep the zone
        digits = "".join(c for c in frac if c.isdigit())
        text = f"{head}.{digits[:6]}{frac[len(digits) :]}"
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def base_ref(annotations: dict[str, str]) -> str | None:
    """``name@digest`` of the base the annotations name (tag dropped), or None."""
    name, digest = annotations.get(BASE_NAME, ""), annotations.get(BASE_DIGEST, "")
    if not name or not digest:
        return None
    try:
        ref = parse_registry_reference(name)
    except HullguardError:
        return None
    return f"{ref.name}@{digest}"


def base_age(annotations: dict[str, str], own_created: str, fetch: FetchCreated) -> BaseAge:
    """The base's build date when the annotations name a readable base, else the image's."""
    ref = base_ref(annotations)
    note = ""
    if ref is not None:
        try:
            return BaseAge(parse_created(fetch(ref)), f"base image {ref}")
        except HullguardError as exc:
            note = f"base image {ref} unreadable: {exc.message}"
    elif BASE_NAME in annotations or BASE_DIGEST in annotations:
        note = "incomplete base annotations"
    source = "image config (no base annotations)" if not note else "image config"
    return BaseAge(parse_created(own_created), source, note)


def registry_created(options: RegistryOptions) -> FetchCreated:
    """Fetch a config's ``created`` from the registry (manifest and config verified)."""

    def fetch(ref: str) -> str:
        from hullguard.image.loader import OpenOptions, open_image

        image = open_image(ref, OpenOptions(registry=options))
        try:
            return image.config.created
        finally:
            image.close()

    return fetch


def registry_base_age(ref: str, options: RegistryOptions) -> BaseAge:
    """Base age of a registry image (``ref`` pinned by digest): two config reads at most."""
    from hullguard.image.loader import OpenOptions, open_image

    image = open_image(ref, OpenOptions(registry=options))
    try:
        annotations, created = dict(image.annotations), image.config.created
    finally:
        image.close()
    return base_age(annotations, created, registry_created(options))
