"""``docker-daemon:NAME`` against a fake Docker Engine API on a Unix socket.

No Docker daemon runs on these machines, so the Engine API is the unit seam:
a tiny HTTP server on a Unix socket in a temporary directory answers
``GET /images/{name}/get`` with a real docker-archive tar written by
``skopeo copy ... docker-archive:``.
"""

from __future__ import annotations

import hashlib
import socketserver
import subprocess
import tarfile
import tempfile
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from hullguard.errors import SourceError, UsageError
from hullguard.image.daemon import fetch_daemon_archive
from hullguard.limits import Limits

pytestmark = pytest.mark.integration


class _UnixHTTPServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


@pytest.fixture(scope="module")
def docker_archive(oci_layout, tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("daemon") / "app.tar"
    subprocess.run(
        [
            "skopeo",
            "copy",
            "-q",
            f"oci:{oci_layout.path}:amd64",
            f"docker-archive:{path}:team/app:1",
        ],
        check=True,
        timeout=60,
    )
    return path


@pytest.fixture
def engine(docker_archive: Path) -> Iterator[dict[str, Any]]:
    """A fake Engine API; the socket path is short (AF_UNIX paths are limited to 108 bytes)."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return None

        def do_GET(self) -> None:
            seen.append(self.path)
            name = unquote(self.path.removeprefix("/images/").removesuffix("/get"))
            if name != "team/app:1":
                body = b'{"message":"reference does not exist"}'
                self.send_response(404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            # chunked like the real daemon: no Content-Length
            self.send_response(200)
            self.send_header("Content-Type", "application/x-tar")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            with docker_archive.open("rb") as fh:
                while chunk := fh.read(4096):
                    self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")

    directory = Path(tempfile.mkdtemp(prefix="hg-engine-"))
    socket_path = directory / "docker.sock"
    server = _UnixHTTPServer(str(socket_path), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield {"env": {"DOCKER_HOST": f"unix://{socket_path}"}, "seen": seen, "dir": directory}
    finally:
        server.shutdown()
        server.server_close()
        socket_path.unlink(missing_ok=True)
        directory.rmdir()


def test_archive_is_spooled_into_the_scratch_dir(engine, docker_archive, tmp_path) -> None:
    path = fetch_daemon_archive("team/app:1", tmp_path, env=engine["env"])
    assert path.parent == tmp_path
    assert (
        hashlib.sha256(path.read_bytes()).digest()
        == hashlib.sha256(docker_archive.read_bytes()).digest()
    )
    with tarfile.open(path) as tar:
        assert "manifest.json" in tar.getnames()
    assert engine["seen"] == ["/images/team/app:1/get"]


def test_unknown_image_says_docker_pull(engine, tmp_path) -> None:
    with pytest.raises(SourceError) as info:
        fetch_daemon_archive("team/absent:1", tmp_path, env=engine["env"])
    assert "not found in the Docker daemon" in info.value.diagnostics()
    assert "docker pull team/absent:1" in info.value.diagnostics()
    assert list(tmp_path.iterdir()) == []


def test_size_limit_removes_the_partial_file(engine, tmp_path) -> None:
    with pytest.raises(SourceError, match="limit"):
        fetch_daemon_archive(
            "team/app:1",
            tmp_path,
            env=engine["env"],
            limits=Limits(max_image_uncompressed_bytes=1000),
        )
    assert list(tmp_path.iterdir()) == []


def test_no_daemon_is_a_clear_error(tmp_path) -> None:
    host = f"unix://{tmp_path}/missing.sock"
    with pytest.raises(SourceError) as info:
        fetch_daemon_archive("alpine", tmp_path, env={"DOCKER_HOST": host})
    text = info.value.diagnostics()
    assert text.startswith(f"no Docker daemon at {host}")
    assert "start Docker or use docker-archive:FILE" in text


def test_dead_socket_is_a_clear_error(tmp_path) -> None:
    import socket

    directory = Path(tempfile.mkdtemp(prefix="hg-dead-"))
    path = directory / "docker.sock"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(path))  # bound but never listening: connection refused
    try:
        with pytest.raises(SourceError, match="no Docker daemon"):
            fetch_daemon_archive("alpine", tmp_path, env={"DOCKER_HOST": f"unix://{path}"})
    finally:
        sock.close()
        path.unlink()
        directory.rmdir()


def test_tcp_docker_host_is_a_usage_error(tmp_path) -> None:
    with pytest.raises(UsageError, match="not a Unix socket"):
        fetch_daemon_archive("alpine", tmp_path, env={"DOCKER_HOST": "tcp://127.0.0.1:2375"})
