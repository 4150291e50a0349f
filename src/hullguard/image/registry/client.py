"""OCI distribution API v2 client (sync, httpx): the read side.

Manifests (with the Accept list hullguard understands and every digest
check), blobs (streamed), tag and catalog listing (``Link`` pagination) and
the referrers API. Write operations (manifest PUT, blob upload, cross-repo
mount) live in :mod:`.push` as a subclass, so readers carry no upload code.
Authentication is handled per request by :class:`.auth.Authenticator`.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable, Mapping, Sequence
from typing import BinaryIO, NoReturn

import httpx

from hullguard.errors import DigestMismatch, LimitExceeded, RegistryError
from hullguard.image.interface import MediaType, RawManifest
from hullguard.image.reference import validate_digest
from hullguard.image.registry.auth import Authenticator, repository_scope
from hullguard.image.registry.blobstream import BlobStream
from hullguard.image.registry.credentials import resolve_credentials
from hullguard.image.registry.options import RegistryOptions, resolve_endpoint
from hullguard.image.registry.status import (
    Failure,
    media_type_of,
    status_error,
    verify_manifest,
)
from hullguard.image.registry.transport import (
    BACKOFF_BASE,
    RETRY_STATUSES,
    HttpSession,
    QueryParams,
    read_limited,
)
from hullguard.model.image import Descriptor, Digest
from hullguard.progress import NULL_PROGRESS, Progress

MANIFEST_ACCEPT = ", ".join(
    [
        MediaType.OCI_INDEX,
        MediaType.OCI_MANIFEST,
        MediaType.DOCKER_MANIFEST_LIST,
        MediaType.DOCKER_MANIFEST,
    ]
)
CATALOG_SCOPE = "registry:catalog:*"
_MAX_PAGES = 10_000
_BLOB_BUFFER = 1024 * 1024


class RegistryClient:
    """Talks to one registry. Cheap to create: nothing is sent before the first call."""

    def __init__(
        self,
        registry: str,
        options: RegistryOptions | None = None,
        *,
        progress: Progress = NULL_PROGRESS,
        env: Mapping[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        backoff_base: float | None = None,
    ) -> None:
        self.options = options or RegistryOptions()
        self.endpoint = resolve_endpoint(registry, self.options, progress.warn)
        self.session = HttpSession(
            self.endpoint,
            self.options,
            sleep=sleep,
            backoff_base=BACKOFF_BASE if backoff_base is None else backoff_base,
        )
        self.auth = Authenticator(
            self.endpoint,
            self.session,
            lambda: resolve_credentials(self.endpoint, self.options, progress.warn, env),
        )

    @property
    def registry(self) -> str:
        return self.endpoint.registry

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing -------------------------------------------------------

    def url(self, path: str) -> str:
        return f"{self.endpoint.base_url}/v2/{path}"

    def _same_origin(self, url: str) -> bool:
        base, target = httpx.URL(self.endpoint.base_url), httpx.URL(url)
        return (base.scheme, base.host, base.port) == (target.scheme, target.host, target.port)

    def request(
        self,
        method: str,
        url: str,
        *,
        scopes: Sequence[str] = (),
        repository: str = "",
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
        params: QueryParams = None,
    ) -> httpx.Response:
        """Send an authenticated request; a 401 is answered once, then raised."""
        for retry in (False, True):
            sent = dict(headers or {})
            authorization = self.auth.authorization(scopes) if self._same_origin(url) else None
            if authorization:
                sent["Authorization"] = authorization
            response = self.session.send(method, url, headers=sent, content=content, params=params)
            if response.status_code != 401:
                return response
            challenges = response.headers.get_list("www-authenticate")
            response.close()
            if retry or not self.auth.on_unauthorized(challenges, scopes):
                raise self.auth.unauthorized_error(repository, sent=authorization is not None)
        raise AssertionError("unreachable")  # pragma: no cover

    def fail(self, response: httpx.Response, what: str, repository: str = "") -> NoReturn:
        attempts = 1
        if response.status_code in RETRY_STATUSES:
            attempts = self.options.limits.http_retries + 1
        raise status_error(response, Failure(self.registry, what, repository, attempts))

    # -- manifests ------------------------------------------------------

    def get_manifest(self, repository: str, reference: str) -> RawManifest:
        """Fetch a manifest or index by tag or digest, with every digest check."""
        pinned = validate_digest(reference) if ":" in reference else None
        what = f"manifest {repository}{'@' if pinned else ':'}{reference}"
        response = self.request(
            "GET",
            self.url(f"{repository}/manifests/{reference}"),
            scopes=[repository_scope(repository)],
            repository=repository,
            headers={"Accept": MANIFEST_ACCEPT},
        )
        if response.status_code != 200:
            self.fail(response, what, repository)
        media_type = media_type_of(response)
        header = response.headers.get("docker-content-digest")
        limit = self.options.limits.max_manifest_bytes
        data = read_limited(response, limit, what, self.session.timeout)
        digest = verify_manifest(data, media_type, header, pinned, what)
        return RawManifest(data, media_type, digest)

    def head_manifest(self, repository: str, reference: str) -> Descriptor | None:
        """The descriptor a tag or digest points to, or ``None`` when it does not exist."""
        response = self.request(
            "HEAD",
            self.url(f"{repository}/manifests/{reference}"),
            scopes=[repository_scope(repository)],
            repository=repository,
            headers={"Accept": MANIFEST_ACCEPT},
        )
        if response.status_code == 404:
            response.close()
            return None
        if response.status_code != 200:
            self.fail(response, f"manifest {repository}:{reference}", repository)
        response.close()
        header = response.headers.get("docker-content-digest", "")
        size = response.headers.get("content-length", "")
        if not header or not size.isdigit():
            raw = self.get_manifest(repository, reference)
            assert raw.digest is not None
            return Descriptor(raw.media_type, raw.digest, len(raw.data))
        return Descriptor(media_type_of(response), validate_digest(header), int(size))

    # -- blobs ----------------------------------------------------------

    def open_blob(
        self,
        repository: str,
        digest: Digest,
        *,
        size: int | None = None,
        verify: bool = False,
    ) -> BinaryIO:
        """A buffered stream of a blob's raw bytes, read from the network as consumed.

        ``size`` (the descriptor's) bounds what is delivered; ``verify`` checks
        the digest when the stream reaches its end.
        """
        what = f"blob {digest} of {repository}"
        response = self.request(
            "GET",
            self.url(f"{repository}/blobs/{digest}"),
            scopes=[repository_scope(repository)],
            repository=repository,
        )
        if response.status_code != 200:
            self.fail(response, what, repository)
        declared = response.headers.get("content-length", "")
        if size is not None and declared.isdigit() and int(declared) != size:
            response.close()
            raise DigestMismatch(
                f"{what} is {declared} bytes, not the {size} its descriptor says",
                hint="the registry returned different content; do not trust this image",
            )
        raw = BlobStream(
            response,
            what=what,
            expected_size=size,
            verify_digest=digest if verify else None,
            timeout=self.session.timeout,
        )
        return io.BufferedReader(raw, _BLOB_BUFFER)

    def get_blob(self, repository: str, digest: Digest, *, max_bytes: int) -> bytes:
        """A small blob (config, signature) read whole and verified against its digest."""
        with self.open_blob(repository, digest, verify=True) as stream:
            data = stream.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise LimitExceeded(
                    f"blob {digest} of {repository} exceeds the {max_bytes}-byte limit",
                    hint="raise the limit only if the image is trusted",
                )
            stream.read()
        return data

    def blob_exists(self, repository: str, digest: Digest) -> bool:
        response = self.request(
            "HEAD",
            self.url(f"{repository}/blobs/{digest}"),
            scopes=[repository_scope(repository)],
            repository=repository,
        )
        if response.status_code == 404:
            response.close()
            return False
        if response.status_code != 200:
            self.fail(response, f"blob {digest} of {repository}", repository)
        response.close()
        return True

    # -- listings -------------------------------------------------------

    def _paginate(
        self, url: str, key: str, what: str, scopes: Sequence[str], page_size: int | None
    ) -> list[str]:
        params = {"n": str(page_size)} if page_size else None
        seen: set[str] = set()
        items: list[str] = []
        next_url: str | None = url
        while next_url is not None:
            if next_url in seen or len(seen) >= _MAX_PAGES:
                raise RegistryError(f"registry {self.registry} paginates {what} in a loop")
            seen.add(next_url)
            response = self.request("GET", next_url, scopes=scopes, params=params)
            if response.status_code != 200:
                self.fail(response, what)
            link = response.links.get("next", {}).get("url")
            body = read_limited(
                response, self.options.limits.max_manifest_bytes, what, self.session.timeout
            )
            items.extend(_string_list(body, key, what, self.registry))
            params = None
            next_url = str(response.url.join(link)) if link else None
            if next_url is not None and not self._same_origin(next_url):
                raise RegistryError(f"registry {self.registry} paginates {what} to another host")
        return sorted(set(items))

    def list_tags(self, repository: str, *, page_size: int | None = None) -> list[str]:
        """Every tag of a repository (sorted), following ``Link: <...>; rel="next"``."""
        return self._paginate(
            self.url(f"{repository}/tags/list"),
            "tags",
            f"tags of {repository}",
            [repository_scope(repository)],
            page_size,
        )

    def catalog(self, *, page_size: int | None = None) -> list[str]:
        """Every repository the registry lists (``/v2/_catalog``), sorted."""
        return self._paginate(
            self.url("_catalog"), "repositories", "catalog", [CATALOG_SCOPE], page_size
        )

    def referrers(
        self, repository: str, digest: Digest, artifact_type: str | None = None
    ) -> RawManifest | None:
        """The referrers index of ``digest``; ``None`` when the registry lacks the API.

        ``None`` is the signal to fall back to the ``sha256-<hex>`` tag schema.
        """
        what = f"referrers of {repository}@{digest}"
        response = self.request(
            "GET",
            self.url(f"{repository}/referrers/{digest}"),
            scopes=[repository_scope(repository)],
            repository=repository,
            headers={"Accept": MediaType.OCI_INDEX},
            params={"artifactType": artifact_type} if artifact_type else None,
        )
        if response.status_code == 404:
            response.close()
            return None
        if response.status_code != 200:
            self.fail(response, what, repository)
        media_type = media_type_of(response)
        data = read_limited(
            response, self.options.limits.max_manifest_bytes, what, self.session.timeout
        )
        if media_type and media_type != MediaType.OCI_INDEX:
            return None
        return RawManifest(data, media_type or MediaType.OCI_INDEX, None)


def _string_list(body: bytes, key: str, what: str, registry: str) -> list[str]:
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise RegistryError(f"registry {registry} sent {what} that is not JSON") from exc
    values = doc.get(key) if isinstance(doc, dict) else None
    if values is None:
        return []
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise RegistryError(f"registry {registry} sent malformed {what}")
    return values
