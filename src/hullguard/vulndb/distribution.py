"""``db push`` / ``db pull``: the database as an OCI artifact in any registry.

Artifact: an OCI image manifest with ``artifactType``
``application/vnd.hullguard.db.v1``, the empty config, and one layer (the
SQLite file compressed with zstd, media type :data:`LAYER_MEDIA_TYPE`);
annotations carry the schema version and build time. Pull verifies the
manifest and blob digests while streaming, decompresses into a temp file
beside the database, checks that it opens with the expected schema, then
``os.replace``-s it: a failed pull leaves the old database in place.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import zstandard

from hullguard.image.reference import parse_registry_reference
from hullguard.image.registry.client import RegistryClient
from hullguard.image.registry.options import RegistryOptions
from hullguard.image.registry.push import RegistryPusher
from hullguard.image.registry.status import compute_digest
from hullguard.model.image import Digest
from hullguard.vulndb.interface import VulnDBError
from hullguard.vulndb.schema import SCHEMA_VERSION
from hullguard.vulndb.store import open_db

ARTIFACT_TYPE = "application/vnd.hullguard.db.v1"
LAYER_MEDIA_TYPE = "application/vnd.hullguard.db.layer.v1.sqlite+zstd"
MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json"
EMPTY_MEDIA_TYPE = "application/vnd.oci.empty.v1+json"
EMPTY_CONFIG = b"{}"
ANNOTATION_SCHEMA = "dev.hullguard.db.schema-version"
ANNOTATION_BUILT = "dev.hullguard.db.built-at"
MAX_DB_BYTES = 4 << 30


def _manifest(layer: Digest, size: int, built_at: str) -> bytes:
    doc = {
        "schemaVersion": 2,
        "mediaType": MANIFEST_MEDIA_TYPE,
        "artifactType": ARTIFACT_TYPE,
        "config": {
            "mediaType": EMPTY_MEDIA_TYPE,
            "digest": compute_digest(EMPTY_CONFIG),
            "size": len(EMPTY_CONFIG),
        },
        "layers": [
            {
                "mediaType": LAYER_MEDIA_TYPE,
                "digest": layer,
                "size": size,
                "annotations": {"org.opencontainers.image.title": "vuln.db.zst"},
            }
        ],
        "annotations": {
            ANNOTATION_SCHEMA: str(SCHEMA_VERSION),
            ANNOTATION_BUILT: built_at,
            "org.opencontainers.image.created": built_at,
        },
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()


def push_database(db_path: Path, ref: str, options: RegistryOptions) -> Digest:
    """Push the database to ``ref``; returns the manifest digest."""
    with open_db(db_path) as db:
        built_at = db.built_at.isoformat() if db.built_at else ""
    target = parse_registry_reference(ref)
    blob = zstandard.ZstdCompressor(level=10, threads=-1).compress(db_path.read_bytes())
    pusher = RegistryPusher(target.registry, options)
    try:
        pusher.upload_blob(target.repository, EMPTY_CONFIG)
        layer = pusher.upload_blob(target.repository, blob)
        manifest = _manifest(layer, len(blob), built_at)
        return pusher.put_manifest(
            target.repository, target.tag or target.reference, manifest, MANIFEST_MEDIA_TYPE
        )
    finally:
        pusher.close()


def _layer(data: bytes, ref: str) -> dict[str, Any]:
    try:
        doc = json.loads(data)
    except ValueError as exc:
        raise VulnDBError(f"{ref}: manifest is not JSON") from exc
    if doc.get("artifactType") != ARTIFACT_TYPE:
        raise VulnDBError(
            f"{ref} is not a hullguard database (artifactType {doc.get('artifactType')!r})",
            hint="push one with hullguard db push",
        )
    schema = (doc.get("annotations") or {}).get(ANNOTATION_SCHEMA)
    if schema != str(SCHEMA_VERSION):
        raise VulnDBError(
            f"{ref} holds database schema {schema}, this hullguard reads {SCHEMA_VERSION}",
            hint="push a database built by this hullguard version",
        )
    layers = doc.get("layers") or []
    if len(layers) != 1 or layers[0].get("mediaType") != LAYER_MEDIA_TYPE:
        raise VulnDBError(f"{ref}: expected one {LAYER_MEDIA_TYPE} layer")
    layer: dict[str, Any] = layers[0]
    return layer


def _check(tmp: Path) -> None:
    try:
        open_db(tmp).close()
    except sqlite3.Error as exc:
        raise VulnDBError(f"the pulled database does not open: {exc}") from exc


def pull_database(db_path: Path, ref: str, options: RegistryOptions) -> Digest:
    """Pull the database at ``ref`` into ``db_path`` (verified, atomic)."""
    source = parse_registry_reference(ref)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = db_path.with_name(f".{db_path.name}.{os.getpid()}.pull")
    with RegistryClient(source.registry, options) as client:
        raw = client.get_manifest(source.repository, source.reference)
        layer = _layer(raw.data, ref)
        size = int(layer.get("size", -1))
        if not 0 < size <= MAX_DB_BYTES:
            raise VulnDBError(f"{ref}: layer size {size} is out of bounds")
        try:
            with (
                client.open_blob(
                    source.repository, Digest(str(layer["digest"])), size=size, verify=True
                ) as stream,
                tmp.open("wb") as out,
            ):
                reader = zstandard.ZstdDecompressor().stream_reader(stream)
                while chunk := reader.read(1 << 20):
                    out.write(chunk)
                    if out.tell() > MAX_DB_BYTES:
                        raise VulnDBError(f"{ref}: database is over {MAX_DB_BYTES} bytes")
                stream.read()  # reach the end so the digest is verified
            _check(tmp)
            os.replace(tmp, db_path)
        except zstandard.ZstdError as exc:
            raise VulnDBError(f"{ref}: layer is not valid zstd: {exc}") from exc
        finally:
            tmp.unlink(missing_ok=True)
    assert raw.digest is not None
    return raw.digest
