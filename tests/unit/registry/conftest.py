"""A misbehaving HTTP server on 127.0.0.1 for failure tests of the registry client.

A real registry does not hang, lie about digests, loop redirects or rate
limit on demand, so these behaviours come from this small server: each test
registers handlers per (method, path) and inspects the requests it got.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from hullguard.image.registry import RegistryClient, RegistryOptions
from hullguard.limits import Limits

Handler = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]


@dataclass
class FakeServer:
    host: str = ""
    routes: dict[tuple[str, str], Handler] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def route(self, method: str, path: str, handler: Handler) -> None:
        self.routes[(method, path)] = handler

    def paths(self) -> list[str]:
        return [s.path for s in self.seen]


def reply(
    req: BaseHTTPRequestHandler,
    status: int,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> None:
    req.send_response(status)
    headers = dict(headers or {})
    headers.setdefault("Content-Length", str(len(body)))
    for key, value in headers.items():
        req.send_header(key, value)
    req.end_headers()
    if req.command != "HEAD":
        req.wfile.write(body)


def _handler_class(server: FakeServer) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return None

        def _dispatch(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            server.seen.append(Seen(self.command, self.path, dict(self.headers.items())))
            handler = server.routes.get((self.command, self.path.split("?")[0]))
            if handler is None:
                reply(self, 404, b'{"errors":[{"code":"NOT_FOUND","message":"no route"}]}')
                return
            handler(self)

        do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = _dispatch

    return _Handler


@pytest.fixture
def fake() -> Iterator[FakeServer]:
    server = FakeServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(server))
    httpd.daemon_threads = True
    server.host = f"127.0.0.1:{httpd.server_address[1]}"
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield server
    finally:
        server.release.set()
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def make_client(fake: FakeServer, tmp_path: Path) -> Iterator[Callable[..., RegistryClient]]:
    """Clients for the fake server: plain HTTP, no retries' sleep, no real config.json."""
    clients: list[RegistryClient] = []
    sleeps: list[float] = []

    def make(*, timeout: float = 5.0, limits: Limits | None = None, **kw: Any) -> RegistryClient:
        options = RegistryOptions(
            insecure=True,
            timeout=timeout,
            docker_config=tmp_path,
            limits=limits or Limits(),
            **kw,
        )
        client = RegistryClient(fake.host, options, sleep=sleeps.append, backoff_base=0.01)
        client.sleeps = sleeps  # type: ignore[attr-defined]
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
