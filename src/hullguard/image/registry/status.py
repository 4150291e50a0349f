"""Turn registry HTTP answers into one-line errors, and check manifest digests.

Sans-I/O except for reading a bounded error body: the client passes the
response and says what it was fetching; this module names the problem and
the next step (``manifest unknown: check the tag``, ``authentication
required: run docker login``, ...). :func:`verify_manifest` checks fetched
manifest bytes against ``Docker-Content-Digest`` and a pinned digest, and
rejects Docker schema 1.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import httpx

from hullguard.errors import AuthError, DigestMismatch, RegistryError
from hullguard.image.registry.transport import RETRY_STATUSES
from hullguard.model.image import Digest

_MAX_ERROR_BODY = 64 * 1024
_SUPPORTED_ALGORITHMS = frozenset({"sha256", "sha512"})
SCHEMA1_TYPES = frozenset(
    {
        "application/vnd.docker.distribution.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v1+prettyjws",
    }
)
#: Content-Types that say nothing about the manifest kind; the loader sniffs the JSON
_GENERIC_TYPES = frozenset({"", "application/json", "text/plain", "application/octet-stream"})


@dataclass(frozen=True)
class Failure:
    """What was being done when a registry said no."""

    registry: str
    what: str
    repository: str = ""
    attempts: int = 1


def _error_body(response: httpx.Response) -> bytes:
    try:
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size >= _MAX_ERROR_BODY:
                break
        return b"".join(chunks)[:_MAX_ERROR_BODY]
    except (httpx.HTTPError, httpx.StreamError):
        return b""
    finally:
        response.close()


def distribution_errors(body: bytes) -> list[tuple[str, str]]:
    """``(code, message)`` pairs of a distribution-spec error body."""
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return []
    errors = doc.get("errors") if isinstance(doc, dict) else None
    if not isinstance(errors, list):
        return []
    out = []
    for item in errors:
        if isinstance(item, dict):
            out.append((str(item.get("code", "")), str(item.get("message", ""))))
    return out


def _detail(codes: list[tuple[str, str]]) -> str:
    text = "; ".join(m or c for c, m in codes if m or c)
    text = " ".join(text.split())
    return f": {text[:200]}" if text else ""


def status_error(response: httpx.Response, failure: Failure) -> RegistryError:
    """The error for a response whose status is not what the operation needs."""
    status = response.status_code
    codes = distribution_errors(_error_body(response))
    names = {c for c, _ in codes}
    reg, what = failure.registry, failure.what
    if status == 404:
        if "NAME_UNKNOWN" in names:
            return RegistryError(
                f"repository {failure.repository} unknown on registry {reg}",
                hint="check the repository name",
            )
        if "MANIFEST_UNKNOWN" in names or what.startswith("manifest"):
            return RegistryError(
                f"manifest unknown: {what} not found on registry {reg}",
                hint="check the tag or digest",
            )
        if "BLOB_UNKNOWN" in names or what.startswith("blob"):
            return RegistryError(
                f"{what} is missing from registry {reg}",
                hint="the registry lacks data the manifest names; push the image again",
            )
        return RegistryError(f"{what} not found on registry {reg} (HTTP 404)")
    if status == 403:
        return AuthError(
            f"registry {reg} denied access to {failure.repository or what}{_detail(codes)}",
            hint="check that the account may read (or push to) this repository",
        )
    if status == 429:
        wait = response.headers.get("retry-after", "").strip()
        later = f"; it asks to wait {wait[:40]}" + (" s" if wait.isdigit() else "") if wait else ""
        return RegistryError(
            f"registry {reg} is rate limiting requests (HTTP 429{later})",
            hint="wait and retry, or log in for a higher limit",
        )
    if status in RETRY_STATUSES or status >= 500:
        return RegistryError(
            f"registry {reg} failed with HTTP {status} after {failure.attempts} attempts "
            f"while fetching {what}",
            hint="the registry is having trouble; retry later",
        )
    return RegistryError(
        f"registry {reg} refused {what}: HTTP {status}{_detail(codes)}",
        hint="check the reference and the registry's documentation",
    )


def media_type_of(response: httpx.Response) -> str:
    """The Content-Type without parameters, or ``""`` when it says nothing useful."""
    value = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return "" if value in _GENERIC_TYPES else value


def compute_digest(data: bytes, algorithm: str = "sha256") -> Digest:
    return Digest(f"{algorithm}:{hashlib.new(algorithm, data).hexdigest()}")


def _is_schema1(data: bytes, media_type: str) -> bool:
    if media_type in SCHEMA1_TYPES:
        return True
    if media_type:
        return False
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return False
    return isinstance(doc, dict) and doc.get("schemaVersion") == 1


def verify_manifest(
    data: bytes,
    media_type: str,
    header_digest: str | None,
    pinned: Digest | None,
    what: str,
) -> Digest:
    """The digest of manifest bytes after every check the answer allows.

    Raises :class:`DigestMismatch` when the bytes do not match the pinned
    digest or the ``Docker-Content-Digest`` header, and :class:`RegistryError`
    for Docker schema 1 manifests.
    """
    if _is_schema1(data, media_type):
        raise RegistryError(
            f"{what} is a Docker schema 1 manifest, which hullguard does not read",
            hint="schema 1 is deprecated and unsigned; push the image again with a current tool",
        )
    algorithm = pinned.partition(":")[0] if pinned else "sha256"
    actual = compute_digest(data, algorithm)
    if pinned is not None and actual != pinned:
        raise DigestMismatch(
            f"{what} has digest {actual}, not the requested {pinned}",
            hint="the registry returned wrong content; do not trust this image",
        )
    if header_digest:
        other = header_digest.partition(":")[0]
        if other in _SUPPORTED_ALGORITHMS:
            check = actual if other == algorithm else compute_digest(data, other)
            if check != header_digest.strip().lower():
                raise DigestMismatch(
                    f"{what} has digest {check}, but the registry says {header_digest[:100]}",
                    hint="the registry returned wrong content; do not trust this image",
                )
    return actual
