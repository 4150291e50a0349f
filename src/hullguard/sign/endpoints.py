"""Where ``hullguard copy`` reads and writes: a registry repository or an OCI layout.

Both speak the same small protocol (manifests by tag or digest, blobs,
referrers), so the copy logic does not care which side is which. In a layout,
tags are ``org.opencontainers.image.ref.name`` entries of ``index.json``
(``sha256-<hex>.sig`` included) and referrers are untagged index entries whose
manifest has a ``subject``. Everything read is digest-checked; layout writes
are atomic (temp file + ``os.replace``).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from hullguard.errors import DigestMismatch, LimitExceeded, MalformedImage, SourceError
from hullguard.image.interface import MediaType, RawManifest
from hullguard.image.reference import validate_digest
from hullguard.image.registry import RegistryClient, RegistryPusher
from hullguard.model.image import Descriptor, Digest
from hullguard.sign.attachments import ReferrerEntry, parse_referrers_index

REF_NAME = "org.opencontainers.image.ref.name"
MAX_MANIFEST = 4 * 1024 * 1024
_CHUNK = 1024 * 1024


class Endpoint(Protocol):
    name: str

    def head(self, reference: str) -> Descriptor | None: ...
    def manifest(self, reference: str) -> RawManifest: ...
    def has_blob(self, digest: Digest) -> bool: ...
    def open_blob(self, digest: Digest, size: int | None) -> BinaryIO: ...
    def put_blob(self, digest: Digest, stream: BinaryIO) -> None: ...
    def put_manifest(self, reference: str, data: bytes, media_type: str) -> None: ...
    def referrers(self, digest: Digest) -> list[ReferrerEntry] | None: ...
    def put_referrers_fallback(self, digest: Digest, index: bytes) -> None: ...


class RegistryEndpoint:
    """One repository of a registry (read with a client, written with a pusher)."""

    def __init__(self, client: RegistryClient, repository: str, name: str) -> None:
        self.client, self.repository, self.name = client, repository, name

    def _pusher(self) -> RegistryPusher:
        if not isinstance(self.client, RegistryPusher):
            raise SourceError(f"{self.name} was opened read-only")
        return self.client

    def head(self, reference: str) -> Descriptor | None:
        return self.client.head_manifest(self.repository, reference)

    def manifest(self, reference: str) -> RawManifest:
        return self.client.get_manifest(self.repository, reference)

    def has_blob(self, digest: Digest) -> bool:
        return self.client.blob_exists(self.repository, digest)

    def open_blob(self, digest: Digest, size: int | None) -> BinaryIO:
        return self.client.open_blob(self.repository, digest, size=size, verify=True)

    def put_blob(self, digest: Digest, stream: BinaryIO) -> None:
        # RegistryPusher uploads monolithically: spool to a temp file, then send it
        self._pusher().upload_blob(self.repository, stream.read(), digest=digest)

    def put_manifest(self, reference: str, data: bytes, media_type: str) -> None:
        self._pusher().put_manifest(self.repository, reference, data, media_type)

    def referrers(self, digest: Digest) -> list[ReferrerEntry] | None:
        raw = self.client.referrers(self.repository, digest)
        return None if raw is None else parse_referrers_index(raw.data, f"referrers of {digest}")

    def put_referrers_fallback(self, digest: Digest, index: bytes) -> None:
        self.put_manifest(digest.replace(":", "-"), index, MediaType.OCI_INDEX)


def _sha256(data: bytes) -> Digest:
    return Digest(f"sha256:{hashlib.sha256(data).hexdigest()}")


class LayoutEndpoint:
    """An OCI image layout directory (created on first write)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = f"oci:{path}"

    # -- reading --------------------------------------------------------

    def _blob_file(self, digest: Digest) -> Path:
        algorithm, _, hexdigest = validate_digest(digest).partition(":")
        return self.path / "blobs" / algorithm / hexdigest

    def _index(self) -> dict[str, Any]:
        index = self.path / "index.json"
        if not index.is_file():
            return {"schemaVersion": 2, "mediaType": MediaType.OCI_INDEX.value, "manifests": []}
        try:
            doc = json.loads(index.read_bytes()[: MAX_MANIFEST + 1])
        except (ValueError, UnicodeDecodeError) as exc:
            raise MalformedImage(f"{self.name}: index.json is not JSON") from exc
        if not isinstance(doc, dict) or not isinstance(doc.get("manifests", []), list):
            raise MalformedImage(f"{self.name}: index.json is not an OCI index")
        return doc

    def _entries(self) -> list[dict[str, Any]]:
        return [e for e in self._index().get("manifests", []) if isinstance(e, dict)]

    def head(self, reference: str) -> Descriptor | None:
        for entry in self._entries():
            names = (entry.get("annotations") or {}).get(REF_NAME)
            if entry.get("digest") == reference or names == reference:
                return Descriptor(
                    str(entry.get("mediaType", MediaType.OCI_MANIFEST)),
                    validate_digest(str(entry["digest"])),
                    int(entry.get("size", 0)),
                )
        if reference.startswith("sha256:") and self._blob_file(Digest(reference)).is_file():
            data = self._blob_file(Digest(reference)).read_bytes()
            media_type = str(json.loads(data).get("mediaType", MediaType.OCI_MANIFEST))
            return Descriptor(media_type, Digest(reference), len(data))
        return None

    def manifest(self, reference: str) -> RawManifest:
        found = self.head(reference)
        if found is None:
            raise SourceError(f"{self.name}: no manifest {reference}")
        path = self._blob_file(found.digest)
        if path.stat().st_size > MAX_MANIFEST:
            raise LimitExceeded(f"{self.name}: manifest {found.digest} is over 4 MiB")
        data = path.read_bytes()
        if _sha256(data) != found.digest:
            raise DigestMismatch(f"{self.name}: blob {found.digest} does not match its digest")
        return RawManifest(data, found.media_type, found.digest)

    def has_blob(self, digest: Digest) -> bool:
        return self._blob_file(digest).is_file()

    def open_blob(self, digest: Digest, size: int | None) -> BinaryIO:
        path = self._blob_file(digest)
        hasher = hashlib.sha256()
        with path.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                hasher.update(chunk)
        if f"sha256:{hasher.hexdigest()}" != digest:
            raise DigestMismatch(f"{self.name}: blob {digest} does not match its digest")
        return path.open("rb")

    def referrers(self, digest: Digest) -> list[ReferrerEntry] | None:
        out = []
        for entry in self._entries():
            if (entry.get("annotations") or {}).get(REF_NAME):
                continue
            raw = self.manifest(str(entry["digest"]))
            doc = json.loads(raw.data)
            if isinstance(doc, dict) and (doc.get("subject") or {}).get("digest") == digest:
                out.append(
                    ReferrerEntry(
                        raw.media_type, Digest(str(entry["digest"])), len(raw.data),
                        str(doc.get("artifactType", "")), dict(doc.get("annotations") or {}),
                    )
                )  # fmt: skip
        return out

    # -- writing --------------------------------------------------------

    def _write(self, path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)

    def _init(self) -> None:
        if not (self.path / "oci-layout").is_file():
            self._write(self.path / "oci-layout", b'{"imageLayoutVersion":"1.0.0"}')

    def put_blob(self, digest: Digest, stream: BinaryIO) -> None:
        self._init()
        data = stream.read()
        if _sha256(data) != digest:
            raise DigestMismatch(f"blob to write has digest {_sha256(data)}, not {digest}")
        self._write(self._blob_file(digest), data)

    def put_manifest(self, reference: str, data: bytes, media_type: str) -> None:
        self._init()
        digest = _sha256(data)
        self._write(self._blob_file(digest), data)
        tag = None if reference.startswith("sha256:") else reference
        index = self._index()
        entries = [
            e for e in self._entries()
            if not (tag and (e.get("annotations") or {}).get(REF_NAME) == tag)
            and not (tag is None and e.get("digest") == digest and not e.get("annotations"))
        ]  # fmt: skip
        entry: dict[str, Any] = {"mediaType": media_type, "digest": digest, "size": len(data)}
        if tag:
            entry["annotations"] = {REF_NAME: tag}
        entries.append(entry)
        index["manifests"] = entries
        self._write(self.path / "index.json", json.dumps(index, separators=(",", ":")).encode())

    def put_referrers_fallback(self, digest: Digest, index: bytes) -> None:
        return None  # referrers are listed in index.json itself
