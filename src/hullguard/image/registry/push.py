"""Write side of the distribution API: manifest PUT, blob upload, cross-repo mount.

Used later by signing (``sign``/``attest`` push signatures and attestations)
and ``db push``. Uploads are monolithic (``POST`` then one ``PUT`` with the
whole body): signatures and attestations are small. Every upload checks the
digest the registry reports against the bytes sent.
"""

from __future__ import annotations

import httpx

from hullguard.errors import DigestMismatch, LimitExceeded, RegistryError
from hullguard.image.registry.auth import repository_scope
from hullguard.image.registry.client import RegistryClient
from hullguard.image.registry.status import compute_digest
from hullguard.model.image import Digest


class RegistryPusher(RegistryClient):
    """A :class:`RegistryClient` that can also write."""

    def _check_reported(self, response: httpx.Response, expected: Digest, what: str) -> None:
        reported = response.headers.get("docker-content-digest")
        if reported and reported.strip().lower() != expected:
            raise DigestMismatch(
                f"registry {self.registry} stored {what} as {reported[:100]}, not {expected}",
                hint="the registry altered the upload; do not trust it",
            )

    def put_manifest(self, repository: str, reference: str, data: bytes, media_type: str) -> Digest:
        """Store a manifest under a tag (or its digest); returns its digest."""
        limit = self.options.limits.max_manifest_bytes
        if len(data) > limit:
            raise LimitExceeded(f"manifest of {len(data)} bytes is over the {limit}-byte limit")
        digest = compute_digest(data)
        what = f"manifest {repository}:{reference}"
        response = self.request(
            "PUT",
            self.url(f"{repository}/manifests/{reference}"),
            scopes=[repository_scope(repository, "pull,push")],
            repository=repository,
            headers={"Content-Type": media_type},
            content=data,
        )
        if response.status_code not in (200, 201):
            self.fail(response, what, repository)
        response.close()
        self._check_reported(response, digest, what)
        return digest

    def _start_upload(
        self, repository: str, digest: Digest, mount_from: str | None
    ) -> httpx.Response:
        scopes = [repository_scope(repository, "pull,push")]
        params: dict[str, str] | None = None
        if mount_from:
            scopes.append(repository_scope(mount_from))
            params = {"mount": digest, "from": mount_from}
        return self.request(
            "POST",
            self.url(f"{repository}/blobs/uploads/"),
            scopes=scopes,
            repository=repository,
            content=b"",
            params=params,
        )

    def _location(self, response: httpx.Response, what: str) -> httpx.URL:
        location = response.headers.get("location")
        if not location:
            raise RegistryError(f"registry {self.registry} started {what} without a Location")
        return response.url.join(location)

    def mount_blob(self, repository: str, digest: Digest, from_repository: str) -> bool:
        """Cross-repository mount; False when the registry would need an upload instead."""
        response = self._start_upload(repository, digest, from_repository)
        if response.status_code not in (201, 202):
            self.fail(response, f"mount of blob {digest} into {repository}", repository)
        response.close()
        if response.status_code == 201:
            return True
        cancel = self.request(
            "DELETE",
            str(self._location(response, "an upload")),
            scopes=[repository_scope(repository, "pull,push")],
            repository=repository,
        )
        cancel.close()
        return False

    def upload_blob(
        self,
        repository: str,
        data: bytes,
        *,
        digest: Digest | None = None,
        mount_from: str | None = None,
    ) -> Digest:
        """Upload ``data`` (monolithic POST + PUT), or mount it from ``mount_from``."""
        actual = compute_digest(data, digest.partition(":")[0] if digest else "sha256")
        if digest is not None and actual != digest:
            raise DigestMismatch(f"blob to upload has digest {actual}, not {digest}")
        what = f"upload of blob {actual} to {repository}"
        response = self._start_upload(repository, actual, mount_from)
        if response.status_code not in (201, 202):
            self.fail(response, what, repository)
        response.close()
        if response.status_code == 201:
            return actual
        target = self._location(response, what).copy_merge_params({"digest": actual})
        done = self.request(
            "PUT",
            str(target),
            scopes=[repository_scope(repository, "pull,push")],
            repository=repository,
            headers={"Content-Type": "application/octet-stream"},
            content=data,
        )
        if done.status_code not in (200, 201):
            self.fail(done, what, repository)
        done.close()
        self._check_reported(done, actual, what)
        return actual
