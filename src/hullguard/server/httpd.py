"""The webhook's HTTPS server: stdlib ``ssl`` + ``http.server``, built by a factory.

The stdlib is enough here: two POST routes and a health check, one thread per
connection (the API server keeps connections alive), TLS from the cert and key
the cluster issued. No globals: the handler class is created per server and
closes over its :class:`AdmissionService`.
"""

from __future__ import annotations

import json
import ssl
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from hullguard.errors import UsageError
from hullguard.server.admission import AdmissionService, Endpoint
from hullguard.server.admission_review import ReviewError

MAX_BODY = 4 * 1024 * 1024  # the API server caps objects at ~3 MiB (etcd request limit)
ROUTES: dict[str, Endpoint] = {"/validate": Endpoint.VALIDATE, "/mutate": Endpoint.MUTATE}


def _handler(service: AdmissionService) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "hullguard-admission"

        timeout = 30  # idle keep-alive connections and slow handshakes end here

        def setup(self) -> None:
            super().setup()  # applies the timeout to the socket
            if isinstance(self.connection, ssl.SSLSocket):
                self.connection.do_handshake()  # in this thread, never in the accept loop

        def log_message(self, format: str, *args: Any) -> None:
            pass  # decisions go to the audit log; access logs would duplicate them

        def _send(self, code: int, doc: dict[str, Any]) -> None:
            data = json.dumps(doc).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path in ("/healthz", "/readyz"):
                self._send(200, {"status": "ok"})
            else:
                self._send(404, {"error": f"no route {self.path}"})

        def do_POST(self) -> None:
            endpoint = ROUTES.get(self.path.split("?", 1)[0])
            if endpoint is None:
                self._send(404, {"error": f"no route {self.path}; use /validate or /mutate"})
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length <= 0 or length > MAX_BODY:
                self.close_connection = True
                self._send(413 if length else 411, {"error": f"body of {length} bytes refused"})
                return
            body = self.rfile.read(length)
            try:
                self._send(200, service.handle(endpoint, body))
            except ReviewError as exc:
                self._send(400, {"error": exc.diagnostics()})

    return Handler


class AdmissionServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], service: AdmissionService) -> None:
        super().__init__(address, _handler(service))
        self.service = service

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hangs up or fails the handshake is not an error of ours

    def server_close(self) -> None:
        super().server_close()
        self.service.close()


def create_server(
    service: AdmissionService, host: str, port: int, cert: Path, key: Path
) -> AdmissionServer:
    """An HTTPS server for ``service`` (TLS 1.2+); call ``serve_forever()`` on it."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as exc:
        raise UsageError(
            f"cannot load TLS certificate {cert} / key {key}: {exc}",
            hint="give a PEM certificate chain and its PEM private key",
        ) from exc
    server = AdmissionServer((host, port), service)
    server.socket = context.wrap_socket(
        server.socket, server_side=True, do_handshake_on_connect=False
    )
    return server
