"""Parse OCI descriptors, manifests and indexes into model objects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hullguard.errors import MalformedImage, ReferenceError_
from hullguard.image.interface import INDEX_TYPES, MANIFEST_TYPES, MediaType
from hullguard.image.jsonutil import get_int, get_list, get_obj, get_str
from hullguard.image.reference import validate_digest
from hullguard.model.image import Descriptor, Platform


def parse_platform(obj: dict[str, Any], what: str) -> Platform | None:
    if not obj:
        return None
    return Platform(
        os=get_str(obj, "os", what),
        architecture=get_str(obj, "architecture", what),
        variant=get_str(obj, "variant", what),
    )


def parse_descriptor(obj: Any, what: str) -> Descriptor:
    if not isinstance(obj, dict):
        raise MalformedImage(f"{what}: descriptor must be an object")
    try:
        digest = validate_digest(get_str(obj, "digest", what))
    except ReferenceError_ as exc:
        raise MalformedImage(f"{what}: {exc.message}") from None
    annotations = get_obj(obj, "annotations", what)
    return Descriptor(
        media_type=get_str(obj, "mediaType", what),
        digest=digest,
        size=get_int(obj, "size", what),
        annotations=tuple(sorted((str(k), str(v)) for k, v in annotations.items())),
        platform=parse_platform(get_obj(obj, "platform", what), what),
    )


def sniff_media_type(doc: dict[str, Any], declared: str) -> str:
    """The media type of a manifest/index: the document's own field, else transport, else shape."""
    own = doc.get("mediaType")
    if isinstance(own, str) and own:
        return own
    if declared in INDEX_TYPES or declared in MANIFEST_TYPES:
        return declared
    if "manifests" in doc:
        return MediaType.OCI_INDEX.value
    if "config" in doc and "layers" in doc:
        return MediaType.OCI_MANIFEST.value
    if doc.get("schemaVersion") == 1:
        raise MalformedImage(
            "Docker schema 1 manifests are not supported",
            hint="re-push the image with a current Docker or skopeo",
        )
    raise MalformedImage("document is neither an image manifest nor an index")


@dataclass(frozen=True)
class ParsedManifest:
    media_type: str
    config: Descriptor
    layers: tuple[Descriptor, ...]
    annotations: tuple[tuple[str, str], ...]


def parse_manifest(doc: dict[str, Any], media_type: str, what: str) -> ParsedManifest:
    if doc.get("schemaVersion") != 2:
        raise MalformedImage(f"{what}: unsupported schemaVersion {doc.get('schemaVersion')!r}")
    config = parse_descriptor(doc.get("config"), f"{what} config")
    layers = tuple(
        parse_descriptor(item, f"{what} layer {i}")
        for i, item in enumerate(get_list(doc, "layers", what))
    )
    annotations = get_obj(doc, "annotations", what)
    return ParsedManifest(
        media_type=media_type,
        config=config,
        layers=layers,
        annotations=tuple(sorted((str(k), str(v)) for k, v in annotations.items())),
    )


def parse_index(doc: dict[str, Any], what: str) -> tuple[Descriptor, ...]:
    if doc.get("schemaVersion") != 2:
        raise MalformedImage(f"{what}: unsupported schemaVersion {doc.get('schemaVersion')!r}")
    return tuple(
        parse_descriptor(item, f"{what} entry {i}")
        for i, item in enumerate(get_list(doc, "manifests", what))
    )
