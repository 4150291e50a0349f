"""Session fixtures: the whole of ../shared/vulndata imported once into a temp DB."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from hullguard.vulndb import SourceInput, VulnDB, build_database, open_db

REPO = Path(__file__).resolve().parents[3]


def shared_dir() -> Path:
    """``<repo>/../shared`` (CI layout), or two levels up for a git worktree checkout."""
    for candidate in (REPO.parent / "shared", REPO.parent.parent / "shared"):
        if (candidate / "vulndata").is_dir():
            return candidate
    pytest.fail("shared/vulndata not found beside the repository")


@pytest.fixture(scope="session")
def vulndata() -> Path:
    return shared_dir() / "vulndata"


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return shared_dir() / "fixtures"


@pytest.fixture(scope="session")
def full_db_path(tmp_path_factory: pytest.TempPathFactory, vulndata: Path) -> Path:
    path = tmp_path_factory.mktemp("vulndb") / "vuln.db"
    build_database(path, [SourceInput("vulndata", vulndata)], now=datetime.now(UTC))
    return path


@pytest.fixture(scope="session")
def bench_module() -> Any:
    """``bench/vuln_bench.py`` loaded as a module (its seeded 5,000-package set)."""
    path = REPO / "bench" / "vuln_bench.py"
    spec = importlib.util.spec_from_file_location("vuln_bench_fixture", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def full_db(full_db_path: Path) -> Iterator[VulnDB]:
    db = open_db(full_db_path)
    yield db
    db.close()


# -- a loopback mirror serving the real files in hullguard's mirror layout -----

import hashlib  # noqa: E402
import io  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
import zipfile  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer  # noqa: E402

import httpx  # noqa: E402
import yaml  # noqa: E402


def _zip_dir(folder: Path, pattern: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob(pattern)):
            zf.writestr(path.name, path.read_bytes())
    return buf.getvalue()


@dataclass
class Mirror:
    """Files by URL path; ETag = sha256; records every request for assertions."""

    files: dict[str, bytes]
    base: str = ""
    requests: list[tuple[str, str]] = field(default_factory=list)
    sidecars: dict[str, str] = field(default_factory=dict)


def _mirror_files(vulndata: Path) -> dict[str, bytes]:
    files = {
        "osv/PyPI/all.zip": _zip_dir(vulndata / "osv/pypi/vulns", "*.yaml"),
        "osv/Go/all.zip": _zip_dir(vulndata / "osv/go/data/osv", "GO-*.json"),
    }
    for rel in ("v3.18", "v3.19", "v3.20", "v3.21", "edge"):
        for repo in ("main", "community"):
            files[f"alpine/{rel}/{repo}.json"] = (
                vulndata / f"distro/alpine-secdb/{rel}/{repo}.json"
            ).read_bytes()
    for deb in ("deb11", "deb12"):
        files[f"debian/security-support-ended.{deb}"] = (
            vulndata / f"debian-security-support/security-support-ended.{deb}"
        ).read_bytes()
    return files


def _handler(mirror: Mirror) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return None

        def do_GET(self) -> None:
            path = self.path.lstrip("/")
            mirror.requests.append((path, self.headers.get("If-None-Match", "")))
            if path.endswith(".sha256") and path[: -len(".sha256")] in mirror.sidecars:
                body = mirror.sidecars[path[: -len(".sha256")]].encode()
            elif path in mirror.files:
                body = mirror.files[path]
                etag = '"' + hashlib.sha256(body).hexdigest() + '"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            else:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@pytest.fixture(scope="session")
def mirror(vulndata: Path) -> Iterator[Mirror]:
    state = Mirror(_mirror_files(vulndata))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


# -- a real docker-registry on loopback (helper copied from tests/integration/registry) --


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def registry_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if shutil.which("docker-registry") is None:
        pytest.skip("docker-registry not installed (make apt installs it)")
    root = tmp_path_factory.mktemp("db-registry")
    port = _free_port()
    config = {
        "version": 0.1,
        "log": {"level": "warn", "accesslog": {"disabled": True}},
        "storage": {"filesystem": {"rootdirectory": str(root / "storage")}},
        "http": {"addr": f"127.0.0.1:{port}", "secret": uuid.uuid4().hex},
    }
    cfg = root / "config.yml"
    cfg.write_text(yaml.safe_dump(config))
    log = (root / "registry.log").open("ab")
    process = subprocess.Popen(["docker-registry", "serve", str(cfg)], stdout=log, stderr=log)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/v2/", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.05)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
