"""Pinning FROM images to digests through a pluggable :class:`DigestResolver`.

Resolvers are chosen by :class:`ResolverKind` through :data:`RESOLVERS`:

* ``pin-map``: a YAML file mapping references to digests, for air-gapped use::

      python:3.12-slim: sha256:0f3c...
      ghcr.io/acme/base:1.4: sha256:9ab1...

* ``registry``: asks the registry for the tag's current digest through
  :mod:`hullguard.image.registry`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import StrEnum
from typing import Protocol

import yaml

from hullguard.lint.dockerfile.imageref import parse_image_ref, with_digest
from hullguard.lint.dockerfile.model import Dockerfile, ImageRef, Stage
from hullguard.lint.interface import Fix, LintUsageError, TextEdit

_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


class DigestResolver(Protocol):
    """Maps an image reference (with tag, no digest) to its current manifest digest."""

    def resolve(self, ref: ImageRef) -> str | None:
        """``sha256:...`` for ``ref``, or None when this resolver does not know it."""
        ...


def ref_key(ref: ImageRef) -> str:
    """Lookup key: normalised name and tag (``latest`` when none), no digest."""
    return f"{ref.name}:{ref.tag or 'latest'}"


class MappingResolver:
    """Resolves from a fixed reference -> digest mapping (the ``--pin-map`` file)."""

    def __init__(self, mapping: dict[str, str]) -> None:
        self._digests: dict[str, str] = {}
        for raw, digest in mapping.items():
            ref = parse_image_ref(raw)
            if ref is None or ref.digest:
                raise LintUsageError(f"pin map: {raw!r} is not an image reference with a tag")
            if not _DIGEST.match(digest):
                raise LintUsageError(f"pin map: digest for {raw!r} must be sha256:<64 hex>")
            self._digests[ref_key(ref)] = digest

    @classmethod
    def from_yaml(cls, text: str, source: str) -> MappingResolver:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise LintUsageError(f"{source}: not valid YAML ({exc.__class__.__name__})") from None
        if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in data.items()
        ):
            raise LintUsageError(f"{source}: expected a mapping of image reference -> digest")
        return cls(data)

    def resolve(self, ref: ImageRef) -> str | None:
        return self._digests.get(ref_key(ref))


class ResolverKind(StrEnum):
    """Where digests come from."""

    PIN_MAP = "pin-map"
    REGISTRY = "registry"


def make_pin_map_resolver(source: str) -> DigestResolver:
    """``source`` is the text of a pin map file (read by the caller)."""
    return MappingResolver.from_yaml(source, "pin map")


class RegistryResolver:
    """Asks each image's registry for the manifest a tag points to right now.

    Uses the registry client (docker ``config.json`` credentials, TLS with system
    roots, plain HTTP only for loopback registries). The digest is computed from
    the manifest bytes the client verified, not taken from a response header.
    """

    def __init__(self) -> None:
        from hullguard.image.registry import RegistryOptions

        self._options = RegistryOptions(insecure=True)  # plain HTTP: loopback hosts only
        self._seen: dict[str, str | None] = {}

    def resolve(self, ref: ImageRef) -> str | None:
        from hullguard.image.registry.client import RegistryClient

        key = str(ref)
        if key not in self._seen:
            client = RegistryClient(ref.registry, self._options)
            try:
                raw = client.get_manifest(ref.repository, ref.tag or "latest")
            finally:
                client.close()
            self._seen[key] = raw.digest
        return self._seen[key]


def make_registry_resolver(source: str) -> DigestResolver:
    """Resolver that asks the registry (``--resolver registry``)."""
    return RegistryResolver()


RESOLVERS: dict[ResolverKind, Callable[[str], DigestResolver]] = {
    ResolverKind.PIN_MAP: make_pin_map_resolver,
    ResolverKind.REGISTRY: make_registry_resolver,
}


def pin_fix(df: Dockerfile, stage: Stage, digest: str) -> Fix | None:
    """Rewrite the FROM of ``stage`` to ``<ref as written>@digest``, when it is literal."""
    instr = stage.from_instruction
    raw = stage.base_raw
    if "$" in raw or instr.line != instr.end_line:
        return None
    line = df.lines[instr.line - 1]
    pattern = re.compile(rf"(?<=\s){re.escape(raw)}(?=\s|$)")
    if len(pattern.findall(line)) != 1:
        return None
    new_line = pattern.sub(with_digest(raw, digest), line)
    return Fix(
        description=f"pin {raw} to {digest}",
        edits=(TextEdit(instr.line, instr.line, new_line + "\n"),),
    )


def pin_fixes(df: Dockerfile, resolver: DigestResolver) -> tuple[list[Fix], list[str]]:
    """Fixes pinning every unpinned image stage; also the references left unresolved."""
    fixes: list[Fix] = []
    unresolved: list[str] = []
    for stage in df.stages:
        ref = stage.ref
        if stage.base_stage is not None or ref is None or ref.is_scratch or ref.digest:
            continue
        digest = resolver.resolve(ref)
        fix = pin_fix(df, stage, digest) if digest else None
        if fix is None:
            unresolved.append(stage.base)
        else:
            fixes.append(fix)
    return fixes, unresolved
