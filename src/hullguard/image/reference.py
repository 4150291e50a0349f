"""Parse what users type to name an image.

Two layers: a *transport* prefix (``docker-archive:``, ``oci:``,
``oci-archive:``, ``docker-daemon:``, ``docker://``) or a bare registry
reference, normalised the way the distribution reference grammar and the
Docker CLI do (``alpine`` -> ``docker.io/library/alpine:latest``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from hullguard.errors import ReferenceError_
from hullguard.model.image import Digest

DEFAULT_REGISTRY = "docker.io"
LEGACY_REGISTRIES = frozenset({"index.docker.io", "registry-1.docker.io"})
DEFAULT_TAG = "latest"

# distribution/reference grammar (reference.go), compiled once.
_ALNUM = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|[-]+)"
_PATH_COMPONENT = rf"{_ALNUM}(?:{_SEPARATOR}{_ALNUM})*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_IPV6 = r"\[(?:[a-fA-F0-9:]+)\]"
_DOMAIN_NAME = rf"{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*"
_HOST = rf"(?:{_DOMAIN_NAME}|{_IPV6})"
_DOMAIN = rf"{_HOST}(?::[0-9]+)?"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
_NAME = rf"(?:{_DOMAIN}/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
_REFERENCE_RE = re.compile(rf"^({_NAME})(?::({_TAG}))?(?:@({_DIGEST}))?$")
_DIGEST_RE = re.compile(rf"^{_DIGEST}$")
_SHA256_RE = re.compile(r"^sha256:[0-9a-f]{64}$")
_SHA512_RE = re.compile(r"^sha512:[0-9a-f]{128}$")
_MAX_NAME = 255


class Transport(StrEnum):
    """Where an image comes from."""

    REGISTRY = "docker"
    DOCKER_ARCHIVE = "docker-archive"
    OCI_LAYOUT = "oci"
    OCI_ARCHIVE = "oci-archive"
    DOCKER_DAEMON = "docker-daemon"


@dataclass(frozen=True)
class RegistryReference:
    """A normalised registry reference: registry host, repository, tag and/or digest."""

    registry: str
    repository: str
    tag: str | None = None
    digest: Digest | None = None

    @property
    def name(self) -> str:
        return f"{self.registry}/{self.repository}"

    @property
    def reference(self) -> str:
        """What to ask the registry's manifest endpoint for (digest wins over tag)."""
        return self.digest or self.tag or DEFAULT_TAG

    def __str__(self) -> str:
        out = self.name
        if self.tag:
            out += f":{self.tag}"
        if self.digest:
            out += f"@{self.digest}"
        return out

    def with_digest(self, digest: Digest) -> RegistryReference:
        return RegistryReference(self.registry, self.repository, self.tag, digest)


@dataclass(frozen=True)
class ImageReference:
    """What the user named: a transport plus its transport-specific location.

    For archives and layouts, ``path`` is the file or directory and ``selector``
    an optional tag, ``@digest`` or ``@index`` inside it.
    """

    transport: Transport
    raw: str
    path: Path | None = None
    selector: str | None = None
    registry: RegistryReference | None = None
    daemon_name: str | None = None


def validate_digest(value: str) -> Digest:
    """Check a digest string; only sha256 and sha512 are accepted for content."""
    if _SHA256_RE.match(value) or _SHA512_RE.match(value):
        return Digest(value)
    raise ReferenceError_(
        f"invalid digest {value!r}",
        hint="expected sha256: followed by 64 lowercase hex digits",
    )


def parse_registry_reference(text: str) -> RegistryReference:
    """Parse and normalise a reference as the Docker CLI would."""
    if not text or len(text) > _MAX_NAME + 200:
        raise ReferenceError_(f"invalid image reference {text!r}", hint="e.g. alpine:3.19")
    match = _REFERENCE_RE.match(text)
    if match is None:
        hint = "repository names must be lowercase" if text.lower() != text else None
        raise ReferenceError_(
            f"invalid image reference {text!r}",
            hint=hint or "expected [registry/]repository[:tag][@sha256:...]",
        )
    name, tag, digest = match.group(1), match.group(2), match.group(3)
    if len(name) > _MAX_NAME:
        raise ReferenceError_(f"repository name too long in {text!r}", hint="255 characters max")
    registry, _, remainder = name.partition("/")
    is_registry = bool(remainder) and (
        "." in registry or ":" in registry or registry == "localhost" or registry.startswith("[")
    )
    if is_registry:
        repository = remainder
    else:
        registry, repository = DEFAULT_REGISTRY, name
    if registry in LEGACY_REGISTRIES:
        registry = DEFAULT_REGISTRY
    if registry == DEFAULT_REGISTRY and "/" not in repository:
        repository = f"library/{repository}"
    if repository.lower() != repository:
        raise ReferenceError_(
            f"invalid image reference {text!r}", hint="repository names must be lowercase"
        )
    checked = validate_digest(digest) if digest else None
    if tag is None and checked is None:
        tag = DEFAULT_TAG
    return RegistryReference(registry, repository, tag, checked)


def _split_path_selector(rest: str) -> tuple[str, str | None]:
    """Split ``PATH[:tag|@digest|@index]`` where PATH itself may contain colons."""
    if "@" in rest:
        path, _, sel = rest.rpartition("@")
        if sel.startswith("sha256:") or sel.isdigit():
            return path.removesuffix(":"), "@" + sel
    if ":" in rest:
        path, _, sel = rest.rpartition(":")
        if sel and "/" not in sel and not Path(rest).exists():
            return path, sel
    return rest, None


def parse_reference(text: str) -> ImageReference:
    """Parse any image reference hullguard accepts (see ``hullguard image --help``)."""
    text = text.strip()
    if not text:
        raise ReferenceError_("empty image reference", hint="e.g. alpine:3.19 or oci:DIR")
    for transport in (Transport.DOCKER_ARCHIVE, Transport.OCI_ARCHIVE, Transport.OCI_LAYOUT):
        prefix = f"{transport.value}:"
        if text.startswith(prefix):
            path, selector = _split_path_selector(text[len(prefix) :])
            if not path:
                raise ReferenceError_(f"missing path in {text!r}", hint=f"use {prefix}PATH")
            return ImageReference(transport, text, path=Path(path), selector=selector)
    if text.startswith("docker-daemon:"):
        name = text[len("docker-daemon:") :]
        if not name:
            raise ReferenceError_("missing image name", hint="use docker-daemon:NAME[:TAG]")
        return ImageReference(Transport.DOCKER_DAEMON, text, daemon_name=name)
    if text.startswith("docker://"):
        ref = parse_registry_reference(text[len("docker://") :])
        return ImageReference(Transport.REGISTRY, text, registry=ref)
    candidate = Path(text)
    if candidate.is_file():
        return ImageReference(Transport.DOCKER_ARCHIVE, text, path=candidate)
    if candidate.is_dir():
        if (candidate / "oci-layout").is_file() or (candidate / "index.json").is_file():
            return ImageReference(Transport.OCI_LAYOUT, text, path=candidate)
        raise ReferenceError_(
            f"{text!r} is a directory but not an OCI image layout",
            hint="for a root filesystem use dir:PATH with sbom/scan",
        )
    if text.startswith((".", "/", "~")) or text.endswith((".tar", ".tar.gz", ".tgz")):
        raise ReferenceError_(
            f"no such file: {text}", hint="check the path, or name a registry image (alpine:3.19)"
        )
    ref = parse_registry_reference(text)
    return ImageReference(Transport.REGISTRY, text, registry=ref)
