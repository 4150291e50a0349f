"""``docker-daemon:NAME``: export an image from a Docker Engine over its Unix socket.

``GET /images/{name}/get`` streams a ``docker save`` tar; it is spooled,
bounded, into one temporary file in the caller's scratch directory (never
unpacked) and read from there by the docker-archive source. The socket comes
from ``DOCKER_HOST`` (``unix://PATH``) or ``/var/run/docker.sock``.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import quote

import httpx

from hullguard.errors import LimitExceeded, SourceError, UsageError
from hullguard.limits import DEFAULT_LIMITS, Limits

DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock"
_CHUNK = 1024 * 1024
_MAX_ERROR_BODY = 64 * 1024


def docker_host(env: Mapping[str, str] | None = None) -> tuple[str, Path]:
    """``(DOCKER_HOST value, socket path)``; only ``unix://`` is supported."""
    env = os.environ if env is None else env
    value = env.get("DOCKER_HOST") or DEFAULT_DOCKER_HOST
    if not value.startswith("unix://"):
        raise UsageError(
            f"DOCKER_HOST={value} is not a Unix socket",
            hint="hullguard talks to the Docker daemon only over unix://; "
            "or export the image with docker save and use docker-archive:FILE",
        )
    return value, Path(value[len("unix://") :])


def _no_daemon(host: str, reason: str) -> SourceError:
    return SourceError(
        f"no Docker daemon at {host} ({reason})",
        hint="start Docker or use docker-archive:FILE",
    )


def _daemon_message(response: httpx.Response) -> str:
    body = b""
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) >= _MAX_ERROR_BODY:
            break
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        doc = None
    text = doc.get("message") if isinstance(doc, dict) else None
    text = text if isinstance(text, str) else body.decode(errors="replace")
    return " ".join(text.split())[:300]


def _spool(response: httpx.Response, name: str, scratch_dir: Path, limit: int) -> Path:
    try:
        fd, temp = tempfile.mkstemp(prefix="docker-daemon-", suffix=".tar", dir=scratch_dir)
    except OSError as exc:
        raise SourceError(
            f"cannot create a scratch file in {scratch_dir}: {exc.strerror}",
            hint="check the scratch directory exists and is writable",
        ) from exc
    path = Path(temp)
    total = 0
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in response.iter_raw(_CHUNK):
                total += len(chunk)
                if total > limit:
                    raise LimitExceeded(
                        f"docker-daemon:{name} export exceeds the {limit}-byte limit",
                        hint="raise the image size limit if the image is trusted",
                    )
                out.write(chunk)
    except OSError as exc:
        path.unlink(missing_ok=True)
        raise SourceError(
            f"cannot write docker-daemon:{name} to {path}: {exc.strerror}",
            hint="free disk space in the scratch directory",
        ) from exc
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def fetch_daemon_archive(
    name: str,
    scratch_dir: Path,
    *,
    env: Mapping[str, str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Path:
    """Save image ``name`` from the Docker daemon to a tar file inside ``scratch_dir``.

    The caller owns the returned file (it lives in the scratch directory and
    goes away with it).
    """
    host, socket_path = docker_host(env)
    if not socket_path.exists():
        raise _no_daemon(host, "the socket does not exist")
    transport = httpx.HTTPTransport(uds=str(socket_path))
    timeout = httpx.Timeout(limits.http_timeout)
    # unescaped '/', ':' and '@' like the docker CLI sends them; the Engine's router expects that
    url = f"http://docker/images/{quote(name, safe='/:@')}/get"
    try:
        with (
            httpx.Client(transport=transport, timeout=timeout) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code == 404:
                raise SourceError(
                    f"image {name} not found in the Docker daemon at {host}",
                    hint=f"docker pull {name} first, or check docker images",
                )
            if response.status_code != 200:
                raise SourceError(
                    f"the Docker daemon at {host} could not export {name}: "
                    f"HTTP {response.status_code} {_daemon_message(response)}",
                    hint="check docker images and the daemon's log",
                )
            return _spool(response, name, scratch_dir, limits.max_image_uncompressed_bytes)
    except httpx.TimeoutException as exc:
        raise SourceError(
            f"the Docker daemon at {host} did not answer within {limits.http_timeout:g}s",
            hint="is the daemon overloaded or hung?",
        ) from exc
    except httpx.ConnectError as exc:
        raise _no_daemon(host, str(exc.__cause__ or exc) or "connection failed") from exc
    except httpx.HTTPError as exc:
        raise SourceError(
            f"reading docker-daemon:{name} from {host} failed: {exc}",
            hint="retry; check the daemon's log if it persists",
        ) from exc
