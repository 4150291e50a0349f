"""HTTP plumbing for registries: TLS, timeouts, retries, redirects, error mapping.

One :class:`HttpSession` per registry wraps a sync ``httpx.Client``. It
retries 429/5xx answers and flaky connections with exponential backoff plus
jitter, honouring ``Retry-After`` up to :data:`MAX_RETRY_AFTER` seconds, and
follows redirects itself so that loops are detected, the hop count is bounded,
``Authorization`` never leaks to another origin and no redirect downgrades to
plain HTTP outside the plain-HTTP rules. Every httpx exception is mapped to a
one-line :class:`RegistryError` here; status codes are mapped by the client,
which knows what was being fetched.
"""

from __future__ import annotations

import functools
import os
import random
import socket
import ssl
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from hullguard.errors import LimitExceeded, RegistryError, UsageError
from hullguard.image.registry.options import (
    Endpoint,
    RegistryOptions,
    is_loopback,
    plain_http_allowed,
)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
#: a longer Retry-After is not waited for: the error says when to come back
MAX_RETRY_AFTER = 60.0
BACKOFF_BASE = 0.5
BACKOFF_CAP = 20.0

#: query parameters of a request
QueryParams = Mapping[str, str] | list[tuple[str, str]] | None

_TIMEOUT_PHASES: dict[type[Exception], str] = {
    httpx.ConnectTimeout: "while connecting",
    httpx.ReadTimeout: "while waiting for data",
    httpx.WriteTimeout: "while sending",
    httpx.PoolTimeout: "while waiting for a free connection",
}


@functools.cache
def _default_ssl_context() -> ssl.SSLContext:
    # loading the roots costs ~0.1 s; a context is safe to share between clients
    return httpx.create_ssl_context()


def ssl_context(options: RegistryOptions) -> ssl.SSLContext:
    """System/default roots, plus ``--ca-cert`` when given. Verification stays on."""
    if options.ca_cert is None:
        return _default_ssl_context()
    ctx = httpx.create_ssl_context()
    if options.ca_cert is not None:
        try:
            ctx.load_verify_locations(cafile=str(options.ca_cert))
        except (OSError, ssl.SSLError) as exc:
            raise UsageError(
                f"cannot load CA certificate {options.ca_cert}: {exc}",
                hint="--ca-cert needs a PEM file with one or more CA certificates",
            ) from exc
    return ctx


def parse_retry_after(value: str, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP-date)."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def backoff_delay(attempt: int, base: float, rng: Callable[[], float]) -> float:
    """Exponential backoff with "equal jitter": half fixed, half random."""
    ceiling = min(BACKOFF_CAP, base * (2.0**attempt))
    return ceiling / 2 + rng() * ceiling / 2


def _root_cause(exc: BaseException) -> BaseException:
    seen: set[int] = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        nxt = exc.__cause__ or exc.__context__
        if nxt is None:
            break
        exc = nxt
    return exc


def retryable_exception(exc: Exception) -> bool:
    """Flaky-connection errors worth another try.

    Not retried: refused connections, DNS and TLS failures (retrying cannot
    help and would delay a clear answer) and read timeouts (the full timeout
    was already spent).
    """
    if isinstance(
        exc,
        httpx.ConnectTimeout | httpx.PoolTimeout | httpx.RemoteProtocolError | httpx.ReadError,
    ):
        return True
    if isinstance(exc, httpx.WriteError):
        return True
    if isinstance(exc, httpx.ConnectError):
        return isinstance(_root_cause(exc), ConnectionResetError | ConnectionAbortedError)
    return False


def map_transport_error(exc: Exception, host: str, timeout: float) -> RegistryError:
    """A one-line error for an httpx exception raised while talking to ``host``."""
    if isinstance(exc, httpx.TimeoutException):
        phase = _TIMEOUT_PHASES.get(type(exc), "")
        return RegistryError(
            f"registry {host} did not answer within {timeout:g}s {phase}".rstrip(),
            hint="check the network, or allow more time with --registry-timeout",
        )
    cause = _root_cause(exc)
    if isinstance(cause, ssl.SSLCertVerificationError):
        return RegistryError(
            f"TLS certificate of registry {host} is not trusted: {cause.verify_message}",
            hint="pass --ca-cert FILE with the CA that signed it",
        )
    if isinstance(cause, ssl.SSLError):
        if "WRONG_VERSION_NUMBER" in str(cause) or "record layer" in str(cause):
            return RegistryError(
                f"TLS handshake with registry {host} failed: it seems to speak plain HTTP",
                hint="for a registry on localhost use --insecure",
            )
        return RegistryError(f"TLS handshake with registry {host} failed: {cause}")
    if isinstance(cause, ConnectionRefusedError):
        return RegistryError(
            f"cannot reach registry {host}: connection refused",
            hint="is the registry running, and is the address right?",
        )
    if isinstance(cause, socket.gaierror):
        return RegistryError(
            f"cannot reach registry {host}: the name does not resolve",
            hint="check the registry name and your DNS",
        )
    if isinstance(exc, httpx.RemoteProtocolError):
        return RegistryError(
            f"registry {host} broke the HTTP protocol: {exc}",
            hint="retry later; if it persists, the registry or a proxy is misbehaving",
        )
    if isinstance(exc, httpx.ConnectError):
        return RegistryError(f"cannot reach registry {host}: {cause}")
    return RegistryError(f"connection to registry {host} failed: {exc or type(exc).__name__}")


def _guard_loopback(url: httpx.URL) -> None:
    """``HULLGUARD_LOOPBACK_ONLY=1`` (set by the test suite): never send beyond loopback."""
    if os.environ.get("HULLGUARD_LOOPBACK_ONLY") == "1" and not is_loopback(url.host or ""):
        raise RegistryError(
            f"refusing to contact {url.host}: HULLGUARD_LOOPBACK_ONLY=1 allows loopback only",
            hint="unset HULLGUARD_LOOPBACK_ONLY to reach other registries",
        )


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port


def _netloc(url: httpx.URL) -> str:
    return url.netloc.decode("ascii", "replace")


class HttpSession:
    """Sends requests to one registry (and the hosts it redirects to)."""

    def __init__(
        self,
        endpoint: Endpoint,
        options: RegistryOptions,
        *,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
        backoff_base: float = BACKOFF_BASE,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.options = options
        self.timeout = options.effective_timeout
        self._sleep = sleep
        self._rng = rng
        self._backoff_base = backoff_base
        self._client = httpx.Client(
            verify=ssl_context(options),
            timeout=httpx.Timeout(self.timeout),
            follow_redirects=False,
            headers={"User-Agent": options.user_agent, "Accept-Encoding": "identity"},
            transport=transport,
        )

    def close(self) -> None:
        self._client.close()

    def send(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
        params: QueryParams = None,
    ) -> httpx.Response:
        """Send with retries and redirects; the caller reads and closes the streamed response."""
        attempts = self.options.limits.http_retries + 1
        for attempt in range(attempts):
            last = attempt + 1 == attempts
            try:
                response = self._follow(method, url, dict(headers or {}), content, params)
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                if not last and retryable_exception(exc):
                    self._sleep(backoff_delay(attempt, self._backoff_base, self._rng))
                    continue
                raise map_transport_error(exc, _netloc(httpx.URL(url)), self.timeout) from exc
            if response.status_code in RETRY_STATUSES and not last:
                delay = self._retry_delay(response, attempt)
                if delay is not None:
                    response.close()
                    self._sleep(delay)
                    continue
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    def _retry_delay(self, response: httpx.Response, attempt: int) -> float | None:
        header = response.headers.get("retry-after")
        if header is not None:
            delay = parse_retry_after(header)
            if delay is not None:
                return delay if delay <= MAX_RETRY_AFTER else None
        return backoff_delay(attempt, self._backoff_base, self._rng)

    def _follow(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        content: bytes | None,
        params: QueryParams,
    ) -> httpx.Response:
        pairs = list(params.items()) if isinstance(params, Mapping) else list(params or [])
        query = httpx.QueryParams(tuple(pairs)) if pairs else None
        request = self._client.build_request(
            method, url, headers=headers, content=content, params=query
        )
        visited: set[str] = set()
        for _ in range(self.options.limits.max_redirects + 1):
            visited.add(str(request.url))
            _guard_loopback(request.url)
            response = self._client.send(request, stream=True)
            location = response.headers.get("location")
            if response.status_code not in REDIRECT_STATUSES or not location:
                return response
            response.close()
            request, headers, content = self._redirected(
                request, response.status_code, location, headers, content
            )
            if str(request.url) in visited:
                raise RegistryError(
                    f"registry {_netloc(request.url)} redirects in a loop "
                    f"(back to {request.url.copy_with(query=None)})",
                    hint="the registry or its storage backend is misconfigured",
                )
        raise RegistryError(
            f"registry {self.endpoint.registry} redirected more than "
            f"{self.options.limits.max_redirects} times",
            hint="the registry or its storage backend is misconfigured",
        )

    def _redirected(
        self,
        request: httpx.Request,
        status: int,
        location: str,
        headers: dict[str, str],
        content: bytes | None,
    ) -> tuple[httpx.Request, dict[str, str], bytes | None]:
        try:
            target = request.url.join(location)
        except httpx.InvalidURL as exc:
            raise RegistryError(f"registry sent an invalid redirect {location[:200]!r}") from exc
        if target.scheme not in ("http", "https"):
            raise RegistryError(f"registry redirected to unsupported URL scheme {target.scheme!r}")
        if target.scheme == "http" and not plain_http_allowed(_netloc(target), self.options):
            raise RegistryError(
                f"refusing redirect to plain HTTP {_netloc(target)}",
                hint="the registry sent a redirect that would drop TLS",
            )
        method = request.method
        if status == 303 or (status in (301, 302) and method == "POST"):
            method, content = "GET", None
        if _origin(target) != _origin(request.url):
            headers = {k: v for k, v in headers.items() if k.lower() != "authorization"}
        new = self._client.build_request(method, target, headers=headers, content=content)
        return new, headers, content


def read_limited(response: httpx.Response, max_bytes: int, what: str, timeout: float) -> bytes:
    """Read a small (decoded) body, failing as soon as it grows past ``max_bytes``.

    The whole body must arrive within ``timeout`` seconds, so a server that
    drips one byte just inside the per-read timeout cannot stall us forever.
    """
    host = _netloc(response.url)
    deadline = time.monotonic() + timeout
    try:
        declared = int(response.headers.get("content-length", "-1"))
    except ValueError:
        declared = -1
    if declared > max_bytes:
        response.close()
        raise LimitExceeded(
            f"{what} from {host} is {declared} bytes, over the {max_bytes}-byte limit",
            hint="a manifest this large is not a real image; the registry may be hostile",
        )
    chunks: list[bytes] = []
    total = 0
    try:
        for chunk in response.iter_bytes():
            total += len(chunk)
            if total > max_bytes:
                raise LimitExceeded(
                    f"{what} from {host} exceeds the {max_bytes}-byte limit",
                    hint="a manifest this large is not a real image; the registry may be hostile",
                )
            chunks.append(chunk)
            if time.monotonic() > deadline:
                raise RegistryError(
                    f"registry {host} sent {what} too slowly (more than {timeout:g}s)",
                    hint="check the network, or allow more time with --registry-timeout",
                )
    except httpx.HTTPError as exc:
        raise map_transport_error(exc, host, timeout) from exc
    finally:
        response.close()
    return b"".join(chunks)
