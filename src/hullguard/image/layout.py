"""``oci:DIR``, ``oci-archive:FILE`` and ``docker-archive:FILE`` image sources.

An OCI layout is ``oci-layout`` + ``index.json`` + ``blobs/<alg>/<hex>``.
A ``docker save`` archive is either the classic layout (``manifest.json``
listing a config file and uncompressed ``layer.tar`` files) or, since Docker
25, an OCI layout with ``manifest.json`` beside it; both are read here.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any, BinaryIO

from hullguard.errors import MalformedImage, ReferenceError_, SourceError
from hullguard.image.descriptors import parse_index
from hullguard.image.files import FileProvider, TarProvider, provider_for
from hullguard.image.interface import ImageSource, MediaType, RawManifest
from hullguard.image.jsonutil import load_object
from hullguard.image.reference import parse_registry_reference, validate_digest
from hullguard.limits import Limits
from hullguard.model.image import Descriptor, Digest

REF_NAME = "org.opencontainers.image.ref.name"
CONTAINERD_NAME = "io.containerd.image.name"


def blob_path(digest: str) -> str:
    algo, _, hexpart = validate_digest(digest).partition(":")
    return f"blobs/{algo}/{hexpart}"


class OciLayoutSource(ImageSource):
    """An OCI image layout in a directory or a tar archive."""

    def __init__(self, files: FileProvider, selector: str | None, limits: Limits) -> None:
        self.files = files
        self.selector = selector
        self.limits = limits
        self.description = files.description
        if not files.exists("index.json"):
            raise SourceError(
                f"{self.description}: not an OCI image layout (no index.json)",
                hint="use docker-archive: for docker save tars",
            )

    def _index(self) -> tuple[bytes, tuple[Descriptor, ...]]:
        data = self.files.read("index.json", self.limits.max_manifest_bytes)
        doc = load_object(data, f"{self.description} index.json", self.limits.max_manifest_bytes)
        return data, parse_index(doc, f"{self.description} index.json")

    def root(self) -> RawManifest:
        data, entries = self._index()
        sel = self.selector
        if sel and sel.startswith("@sha256:"):
            digest = Digest(sel[1:])
            for entry in entries:
                if entry.digest == digest:
                    return self._fetch(entry)
            if self.files.exists(blob_path(digest)):
                return RawManifest(self._blob(digest), "", digest)
            raise SourceError(f"{self.description}: no manifest {digest}", hint="check the digest")
        if sel:
            matches = [e for e in entries if _names(e) & {sel, _tag_of(sel)}]
            exact = [e for e in matches if sel in _names(e)]
            chosen = exact or matches
            if not chosen:
                raise SourceError(
                    f"{self.description}: no image tagged {sel!r}",
                    hint=f"available: {', '.join(_all_names(entries)) or 'none'}",
                )
            return self._fetch(chosen[0])
        if len(entries) == 1:
            return self._fetch(entries[0])
        if not entries:
            raise MalformedImage(f"{self.description}: index.json lists no images")
        if all(e.platform is not None for e in entries):
            return RawManifest(data, MediaType.OCI_INDEX.value, None)
        raise ReferenceError_(
            f"{self.description} holds {len(entries)} images",
            hint=f"choose one with :TAG or @sha256:...; tags: {', '.join(_all_names(entries))}",
        )

    def _blob(self, digest: str) -> bytes:
        return self.files.read(blob_path(digest), self.limits.max_manifest_bytes)

    def _fetch(self, descriptor: Descriptor) -> RawManifest:
        return RawManifest(self._blob(descriptor.digest), descriptor.media_type, descriptor.digest)

    def child_manifest(self, descriptor: Descriptor) -> RawManifest:
        return self._fetch(descriptor)

    def open_blob(self, descriptor: Descriptor) -> BinaryIO:
        return self.files.open(blob_path(descriptor.digest))

    def fork_safe(self) -> bool:
        return self.files.fork_safe()

    def after_fork(self) -> None:
        self.files.after_fork()

    def close(self) -> None:
        self.files.close()


def _names(entry: Descriptor) -> set[str]:
    ann = dict(entry.annotations)
    return {v for k, v in ann.items() if k in (REF_NAME, CONTAINERD_NAME)}


def _tag_of(name: str) -> str:
    return name.rsplit(":", 1)[-1] if ":" in name.rsplit("/", 1)[-1] else name


def _all_names(entries: tuple[Descriptor, ...]) -> list[str]:
    return sorted({n for e in entries for n in _names(e)})


class DockerArchiveSource(ImageSource):
    """A ``docker save`` tarball (classic or Docker 25+ OCI flavour)."""

    def __init__(self, files: FileProvider, selector: str | None, limits: Limits) -> None:
        self.files = files
        self.limits = limits
        self.description = files.description
        self._oci: OciLayoutSource | None = None
        self._paths: dict[str, str] = {}
        if files.exists("index.json") and _has_entries(files, limits):
            self._oci = OciLayoutSource(files, selector, limits)
            return
        if not files.exists("manifest.json"):
            raise SourceError(
                f"{self.description}: not a docker save archive (no manifest.json)",
                hint="for OCI archives use oci-archive:FILE",
            )
        data = files.read("manifest.json", limits.max_manifest_bytes)
        try:
            doc = json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise MalformedImage(f"{self.description}: manifest.json is not JSON ({exc})") from None
        if not isinstance(doc, list) or not doc or not all(isinstance(i, dict) for i in doc):
            raise MalformedImage(f"{self.description}: manifest.json must list images")
        self._entry = self._select(doc, selector)

    def _select(self, doc: list[dict[str, Any]], selector: str | None) -> dict[str, Any]:
        if selector and selector.startswith("@") and selector[1:].isdigit():
            idx = int(selector[1:])
            if idx >= len(doc):
                raise ReferenceError_(f"{self.description} has {len(doc)} images, no @{idx}")
            return doc[idx]
        if selector:
            wanted = {selector}
            with contextlib.suppress(ReferenceError_):
                wanted.add(str(parse_registry_reference(selector)))
            for entry in doc:
                tags = {str(t) for t in entry.get("RepoTags") or []}
                norm: set[str] = set()
                for tag in tags:
                    try:
                        norm.add(str(parse_registry_reference(tag)))
                    except ReferenceError_:
                        continue
                if wanted & (tags | norm):
                    return entry
            raise SourceError(f"{self.description}: no image tagged {selector!r}")
        if len(doc) > 1:
            listed = sorted(str(t) for e in doc for t in e.get("RepoTags") or [])
            raise ReferenceError_(
                f"{self.description} holds {len(doc)} images",
                hint=f"choose one with :TAG or :@N; tags: {', '.join(listed) or 'none'}",
            )
        return doc[0]

    def root(self) -> RawManifest:
        if self._oci is not None:
            return self._oci.root()
        entry = self._entry
        config_name = entry.get("Config")
        layers = entry.get("Layers")
        if not isinstance(config_name, str) or not isinstance(layers, list):
            raise MalformedImage(f"{self.description}: manifest.json entry lacks Config/Layers")
        config_digest = self._digest_from_name(config_name)
        self._paths[config_digest] = config_name
        config = load_object(
            self.files.read(config_name, self.limits.max_config_bytes),
            f"{self.description} config",
            self.limits.max_config_bytes,
        )
        diff_ids = (config.get("rootfs") or {}).get("diff_ids") or []
        if not isinstance(diff_ids, list) or len(diff_ids) != len(layers):
            raise MalformedImage(
                f"{self.description}: config has {len(diff_ids)} diff_ids for {len(layers)} layers"
            )
        descs = []
        for name, diff_id in zip(layers, diff_ids, strict=True):
            if not isinstance(name, str):
                raise MalformedImage(f"{self.description}: bad layer entry in manifest.json")
            digest = validate_digest(str(diff_id))
            if name.startswith("blobs/"):
                digest = self._digest_from_name(name)
            self._paths[digest] = name
            descs.append(
                {
                    "mediaType": MediaType.DOCKER_LAYER.value,
                    "digest": digest,
                    "size": self.files.size(name),
                }
            )
        manifest = {
            "schemaVersion": 2,
            "mediaType": MediaType.DOCKER_MANIFEST.value,
            "config": {
                "mediaType": MediaType.DOCKER_CONFIG.value,
                "digest": config_digest,
                "size": self.files.size(config_name),
            },
            "layers": descs,
        }
        real = self._find_real_manifest(config_digest)
        if real is not None:
            return real
        return RawManifest(json.dumps(manifest).encode(), MediaType.DOCKER_MANIFEST.value, None)

    def _find_real_manifest(self, config_digest: Digest) -> RawManifest | None:
        """Docker 25+ archives keep the pushed manifest as a blob; find it by its config."""
        if not isinstance(self.files, TarProvider):
            return None
        for name in self.files.names("blobs/"):
            if self.files.size(name) > 64 * 1024:
                continue
            data = self.files.read(name, 64 * 1024)
            try:
                doc = json.loads(data)
            except (ValueError, UnicodeDecodeError):
                continue
            if isinstance(doc, dict) and (doc.get("config") or {}).get("digest") == config_digest:
                media_type = str(doc.get("mediaType") or MediaType.OCI_MANIFEST.value)
                return RawManifest(data, media_type, self._digest_from_name(name))
        return None

    @staticmethod
    def _digest_from_name(name: str) -> Digest:
        base = name.rsplit("/", 1)[-1].removesuffix(".json")
        if name.startswith("blobs/"):
            parts = name.split("/")
            return validate_digest(f"{parts[1]}:{parts[2]}")
        return validate_digest(f"sha256:{base}")

    def child_manifest(self, descriptor: Descriptor) -> RawManifest:
        if self._oci is None:
            raise MalformedImage(f"{self.description}: classic archives have no index")
        return self._oci.child_manifest(descriptor)

    def open_blob(self, descriptor: Descriptor) -> BinaryIO:
        if self._oci is not None:
            return self._oci.open_blob(descriptor)
        name = self._paths.get(descriptor.digest)
        if name is None:
            raise SourceError(f"{self.description}: no blob {descriptor.digest}")
        return self.files.open(name)

    def blob_verified_by_diff_id(self, descriptor: Descriptor) -> bool:
        # classic layer.tar files are named by layer id, not content digest
        return self._oci is None and not self._paths.get(descriptor.digest, "").startswith("blobs/")

    def fork_safe(self) -> bool:
        return self.files.fork_safe()

    def after_fork(self) -> None:
        self.files.after_fork()

    def close(self) -> None:
        self.files.close()


def _has_entries(files: FileProvider, limits: Limits) -> bool:
    data = files.read("index.json", limits.max_manifest_bytes)
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return True  # let the OCI reader report the error
    return not isinstance(doc, dict) or bool(doc.get("manifests"))


def open_oci(path: Path, selector: str | None, limits: Limits) -> OciLayoutSource:
    return OciLayoutSource(provider_for(path, limits), selector, limits)


def open_docker_archive(path: Path, selector: str | None, limits: Limits) -> DockerArchiveSource:
    if path.is_dir():
        raise SourceError(f"{path} is a directory", hint="use oci:DIR for an OCI layout")
    return DockerArchiveSource(provider_for(path, limits), selector, limits)
