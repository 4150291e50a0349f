"""A file-like view of a blob download that reads the HTTP response incrementally.

The stream never holds more than one network chunk in memory, refuses to
deliver more bytes than the descriptor's size, reports a short body as an
error, and (when asked) checks the digest as soon as the last byte of the
declared size has arrived, before handing that last chunk out.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator

import httpx

from hullguard.errors import DigestMismatch, RegistryError
from hullguard.image.registry.transport import map_transport_error
from hullguard.model.image import Digest

_CHUNK = 1024 * 1024


class BlobStream(io.RawIOBase):
    """Raw, still-compressed bytes of one blob, straight from the response."""

    def __init__(
        self,
        response: httpx.Response,
        *,
        what: str,
        expected_size: int | None,
        verify_digest: Digest | None,
        timeout: float,
    ) -> None:
        super().__init__()
        self._response = response
        self._what = what
        self._expected = expected_size
        self._timeout = timeout
        self._hasher = None
        self._verify = verify_digest
        if verify_digest is not None:
            algorithm, _, _ = verify_digest.partition(":")
            self._hasher = hashlib.new(algorithm)
        self._chunks: Iterator[bytes] = response.iter_raw(_CHUNK)
        self._pending = memoryview(b"")
        self._total = 0
        self._done = False
        self._checked = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        if not self._pending and not self._done:
            self._pending = memoryview(self._next_chunk())
        count = min(len(view), len(self._pending))
        view[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        return count

    def _next_chunk(self) -> bytes:
        while True:
            try:
                chunk = next(self._chunks)
            except StopIteration:
                self._finish()
                return b""
            except httpx.HTTPError as exc:
                self.close()
                host = self._response.url.netloc.decode("ascii", "replace")
                raise map_transport_error(exc, host, self._timeout) from exc
            if not chunk:
                continue
            self._total += len(chunk)
            if self._expected is not None and self._total > self._expected:
                self.close()
                raise DigestMismatch(
                    f"{self._what} is larger than the {self._expected} bytes its descriptor says",
                    hint="the registry returned different content; do not trust this image",
                )
            if self._hasher is not None:
                self._hasher.update(chunk)
            if self._total == self._expected:
                self._check_digest()
            return chunk

    def _finish(self) -> None:
        self._done = True
        self._response.close()
        if self._expected is not None and self._total != self._expected:
            raise RegistryError(
                f"{self._what} ended after {self._total} of {self._expected} bytes",
                hint="the download was cut short; retry",
            )
        self._check_digest()

    def _check_digest(self) -> None:
        if self._hasher is None or self._verify is None or self._checked:
            return
        self._checked = True
        algorithm = self._verify.partition(":")[0]
        actual = f"{algorithm}:{self._hasher.hexdigest()}"
        if actual != self._verify:
            self.close()
            raise DigestMismatch(
                f"{self._what} has digest {actual}, not {self._verify}",
                hint="the registry returned wrong content; do not trust this image",
            )

    def close(self) -> None:
        if not self.closed:
            self._response.close()
        super().close()
