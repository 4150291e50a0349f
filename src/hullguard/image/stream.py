"""Streams that verify digests and decompress layers as they are read.

Nothing is trusted until its digest checks out: :class:`DigestingReader`
hashes every byte that passes and :meth:`DigestingReader.verify` raises on a
mismatch once the stream is drained. Decompression picks the fastest
implementation installed (ISA-L through ``isal``, then zlib) for gzip and
``zstandard`` for zstd; every decompressor is wrapped in ratio and size limits
so a decompression bomb stops early with a clear error.
"""

from __future__ import annotations

import hashlib
import queue
import threading
import zlib
from collections.abc import Callable
from typing import Any, BinaryIO, Protocol, cast

from hullguard.errors import DigestMismatch, LimitExceeded, MalformedImage
from hullguard.model.image import Digest

CHUNK = 1 << 20
GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class _HashThread:
    """Hashes chunks on a worker thread so hashing overlaps decompression and parsing.

    ``hashlib`` releases the GIL while hashing large buffers, so on a machine
    with two or more cores the digest of a layer costs almost no wall time. The
    queue is bounded: a slow hasher applies back-pressure instead of buffering
    a whole layer in memory.
    """

    def __init__(self, algo: str) -> None:
        self._hash = hashlib.new(algo)
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=8)
        self._thread = threading.Thread(target=self._run, name="hullguard-hash", daemon=True)
        self._thread.start()
        self._done = False

    def _run(self) -> None:
        while (chunk := self._queue.get()) is not None:
            self._hash.update(chunk)

    def update(self, data: bytes) -> None:
        self._queue.put(data)

    def close(self) -> None:
        if not self._done:
            self._done = True
            self._queue.put(None)
            self._thread.join()

    def hexdigest(self) -> str:
        self.close()
        return self._hash.hexdigest()


class DigestingReader:
    """Pass-through reader that hashes what it reads (on a worker thread) and counts bytes."""

    def __init__(self, raw: Readable, expected: Digest | None, what: str, max_bytes: int) -> None:
        self._raw = raw
        self.expected = expected
        algo = (expected or "sha256:").split(":", 1)[0]
        if algo not in ("sha256", "sha512"):
            raise MalformedImage(f"{what}: unsupported digest algorithm {algo!r}")
        self._hash = _HashThread(algo)
        self._algo = algo
        self.what = what
        self.count = 0
        self._max = max_bytes

    def read(self, size: int = -1, /) -> bytes:
        data = self._raw.read(size if size and size > 0 else CHUNK)
        if data:
            self.count += len(data)
            if self.count > self._max:
                raise LimitExceeded(
                    f"{self.what}: larger than the {self._max} byte limit",
                    hint="raise the limit with --max-layer-size if the image is trusted",
                )
            self._hash.update(data)
        return data

    def drain(self) -> None:
        while self.read(CHUNK):
            pass

    @property
    def digest(self) -> Digest:
        return Digest(f"{self._algo}:{self._hash.hexdigest()}")

    def close(self) -> None:
        """Stop the hashing thread (idempotent; called on every exit path)."""
        self._hash.close()

    def verify(self) -> Digest:
        """Raise :class:`DigestMismatch` unless the bytes read match ``expected``."""
        actual = self.digest
        if self.expected is not None and actual != self.expected:
            raise DigestMismatch(
                f"{self.what}: content digest {actual} does not match {self.expected}",
                hint="the blob is corrupt or was tampered with; fetch it again",
            )
        return actual


class _Inflater(Protocol):
    unconsumed_tail: bytes
    unused_data: bytes
    eof: bool

    def decompress(self, data: bytes, max_length: int = 0, /) -> bytes: ...


def _gzip_factory() -> Callable[[], _Inflater]:
    """Fastest available gzip decompressor object factory (ISA-L, then zlib)."""
    try:  # ISA-L inflates several times faster than zlib
        from isal import isal_zlib

        return lambda: cast(_Inflater, isal_zlib.decompressobj(32 + 15))
    except ImportError:  # pragma: no cover - isal is an optional extra
        return lambda: cast(_Inflater, zlib.decompressobj(32 + 15))


_GZIP = _gzip_factory()


class _GzipReader:
    """Multi-member gzip stream reader on top of a decompressobj (bounded output per call)."""

    def __init__(self, raw: Readable, what: str) -> None:
        self._raw = raw
        self._what = what
        self._d = _GZIP()
        self._pending = b""
        self._eof = False

    def read(self, size: int = -1, /) -> bytes:
        size = size if size and size > 0 else CHUNK
        while not self._eof:
            if self._pending:
                data = self._pending
                self._pending = b""
            else:
                data = self._d.unconsumed_tail or self._raw.read(CHUNK)
                if not data:
                    if not self._d.eof:
                        raise MalformedImage(f"{self._what}: truncated gzip stream")
                    self._eof = True
                    break
            try:
                out = self._d.decompress(data, size)
            except Exception as exc:  # zlib.error / isal error: corrupt input
                raise MalformedImage(f"{self._what}: corrupt gzip data ({exc})") from exc
            if self._d.eof:
                rest = self._d.unused_data
                self._d = _GZIP()
                self._pending = rest.lstrip(b"\x00")  # tolerate zero padding between members
                if not self._pending:
                    nxt = self._raw.read(CHUNK)
                    if not nxt:
                        self._eof = True
                    self._pending = nxt
            if out:
                return out
        return b""


class _ZstdReader:
    def __init__(self, raw: Readable, what: str) -> None:
        import zstandard

        self._what = what
        self._reader = zstandard.ZstdDecompressor().stream_reader(
            cast(Any, raw), read_across_frames=True
        )

    def read(self, size: int = -1, /) -> bytes:
        try:
            data: bytes = self._reader.read(size if size and size > 0 else CHUNK)
        except Exception as exc:  # zstandard.ZstdError
            raise MalformedImage(f"{self._what}: corrupt zstd data ({exc})") from exc
        return data


class _Peeked:
    """Reader that replays a few sniffed bytes before the rest of the stream."""

    def __init__(self, head: bytes, raw: Readable) -> None:
        self._head = head
        self._raw = raw

    def read(self, size: int = -1, /) -> bytes:
        if self._head:
            out, self._head = self._head, b""
            return out
        return self._raw.read(size)


class BombGuard:
    """Stops a decompressed stream that grows beyond size or ratio limits."""

    def __init__(
        self,
        inner: Readable,
        compressed: DigestingReader,
        what: str,
        max_bytes: int,
        max_ratio: float,
        grace: int,
    ) -> None:
        self._inner = inner
        self._compressed = compressed
        self._what = what
        self._max = max_bytes
        self._ratio = max_ratio
        self._grace = grace
        self.count = 0

    def read(self, size: int = -1, /) -> bytes:
        data = self._inner.read(size)
        self.count += len(data)
        if self.count > self._max:
            raise LimitExceeded(
                f"{self._what}: uncompressed size exceeds the {self._max} byte limit",
                hint="possible decompression bomb; raise --max-layer-size only for trusted images",
            )
        if self.count > self._grace and self.count > self._ratio * max(self._compressed.count, 1):
            raise LimitExceeded(
                f"{self._what}: decompression ratio above {self._ratio:.0f}:1",
                hint="possible decompression bomb; raise --max-ratio only for trusted images",
            )
        return data


def decompressing_reader(raw: Readable, what: str) -> Readable:
    """Sniff gzip/zstd/plain from the first bytes and return a reader of the tar stream."""
    head = b""
    while len(head) < 4:
        more = raw.read(4 - len(head))
        if not more:
            break
        head += more
    source = _Peeked(head, raw)
    if head.startswith(GZIP_MAGIC):
        return _GzipReader(source, what)
    if head.startswith(ZSTD_MAGIC):
        return _ZstdReader(source, what)
    return source


def close_quietly(stream: BinaryIO | Readable) -> None:
    close = getattr(stream, "close", None)
    if callable(close):
        close()
