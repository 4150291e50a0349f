"""Real registries for the registry client tests.

Debian's ``docker-registry`` (CNCF distribution 2.8) is started on 127.0.0.1
with a random port and a temporary storage root, three ways: plain HTTP,
TLS (test CA from trustme) with htpasswd Basic auth, and token auth backed by
a tiny JWT token service running in this process. Images are built with
``umoci`` (an amd64 and an arm64 image plus an OCI index over both) and pushed
with ``skopeo copy``: independent tools, so a bug in hullguard's reader cannot
hide behind the same bug in a writer. Nothing leaves the loopback interface.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import trustme
import yaml
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

TOOLS = ("docker-registry", "skopeo", "umoci", "htpasswd")
# Obviously fake test credentials, only ever sent to registries on 127.0.0.1.
USER = "tester"
PASSWORD = "test-password-not-secret"
IDENTITY_TOKEN = "test-identity-token-not-secret"
SERVICE = "hullguard-test-registry"
ISSUER = "hullguard-test-issuer"


def _require_tools() -> None:
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        pytest.skip(f"missing tools: {', '.join(missing)} (make apt installs them)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run(*args: str) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


# -- images -------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """An OCI layout made by umoci: tags ``amd64``, ``arm64`` and ``multi`` (an index)."""

    path: Path

    def blob(self, digest: str) -> bytes:
        algorithm, _, hexdigest = digest.partition(":")
        return (self.path / "blobs" / algorithm / hexdigest).read_bytes()


def _add_index(layout: Path) -> None:
    """Write an OCI index over the amd64 and arm64 images, tagged ``multi``."""
    index_json = json.loads((layout / "index.json").read_text())
    by_tag = {
        m["annotations"]["org.opencontainers.image.ref.name"]: m for m in index_json["manifests"]
    }
    index = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [
            {
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "digest": by_tag[arch]["digest"],
                "size": by_tag[arch]["size"],
                "platform": {"architecture": arch, "os": "linux"},
            }
            for arch in ("amd64", "arm64")
        ],
    }
    data = json.dumps(index).encode()
    digest = hashlib.sha256(data).hexdigest()
    (layout / "blobs" / "sha256" / digest).write_bytes(data)
    index_json["manifests"].append(
        {
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "digest": f"sha256:{digest}",
            "size": len(data),
            "annotations": {"org.opencontainers.image.ref.name": "multi"},
        }
    )
    (layout / "index.json").write_text(json.dumps(index_json))


@pytest.fixture(scope="session")
def oci_layout(tmp_path_factory: pytest.TempPathFactory) -> Layout:
    _require_tools()
    root = tmp_path_factory.mktemp("umoci")
    layout, bundle = root / "layout", root / "bundle"
    run("umoci", "init", "--layout", str(layout))
    run("umoci", "new", "--image", f"{layout}:base")
    run("umoci", "unpack", "--image", f"{layout}:base", str(bundle))
    etc = bundle / "rootfs" / "etc"
    etc.mkdir(parents=True, exist_ok=True)
    (etc / "os-release").write_text('ID=hullguard-test\nVERSION_ID="1"\n')
    (etc / "motd").write_text("built by umoci for the hullguard registry tests\n" * 50)
    run("umoci", "repack", "--image", f"{layout}:amd64", str(bundle))
    run("umoci", "config", "--image", f"{layout}:amd64", "--os", "linux", "--architecture", "amd64")
    run(
        "umoci", "config", "--image", f"{layout}:amd64", "--architecture", "arm64",
        "--tag", "arm64",
    )  # fmt: skip
    _add_index(layout)
    return Layout(layout)


# -- registries ---------------------------------------------------------


@dataclass
class Registry:
    """A running docker-registry and how to push to it."""

    host: str
    process: subprocess.Popen[bytes]
    log: Path
    tls_args: tuple[str, ...] = ()
    creds: tuple[str, str] | None = None
    ca_pem: Path | None = None
    cert_dir: Path | None = None
    token_server: TokenServer | None = None

    def _skopeo_dest(self) -> list[str]:
        args = list(self.tls_args) or ["--dest-tls-verify=false"]
        if self.creds:
            args.append(f"--dest-creds={self.creds[0]}:{self.creds[1]}")
        return args

    def push(self, layout: Layout, tag: str, repo_tag: str, *, all_images: bool = False) -> None:
        extra = ["--all"] if all_images else []
        run(
            "skopeo", "copy", "-q", *extra, *self._skopeo_dest(),
            f"oci:{layout.path}:{tag}", f"docker://{self.host}/{repo_tag}",
        )  # fmt: skip

    def raw_manifest(self, repo_tag: str) -> bytes:
        """What skopeo (an independent client) reads for a reference."""
        args = ["skopeo", "inspect", "--raw"]
        if self.cert_dir:
            args.append(f"--cert-dir={self.cert_dir}")
        else:
            args.append("--tls-verify=false")
        if self.creds:
            args.append(f"--creds={self.creds[0]}:{self.creds[1]}")
        done = subprocess.run(
            [*args, f"docker://{self.host}/{repo_tag}"], capture_output=True, timeout=60
        )
        assert done.returncode == 0, done.stderr.decode()
        return done.stdout

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _start_registry(
    root: Path, extra: dict[str, Any], scheme: str = "http", ca: Path | None = None
) -> tuple[str, subprocess.Popen[bytes], Path]:
    for _ in range(5):
        port = free_port()
        config = {
            "version": 0.1,
            "log": {"level": "info", "accesslog": {"disabled": True}},
            "storage": {
                "filesystem": {"rootdirectory": str(root / "storage")},
                "delete": {"enabled": True},
            },
            "http": {"addr": f"127.0.0.1:{port}", "secret": uuid.uuid4().hex},
        }
        for key, value in extra.items():
            if key == "http":
                config["http"].update(value)
            else:
                config[key] = value
        cfg = root / "config.yml"
        cfg.write_text(yaml.safe_dump(config))
        log = root / "registry.log"
        with log.open("ab") as out:
            process = subprocess.Popen(
                ["docker-registry", "serve", str(cfg)], stdout=out, stderr=subprocess.STDOUT
            )
        if _wait_ready(f"{scheme}://127.0.0.1:{port}/v2/", process, ca):
            return f"127.0.0.1:{port}", process, log
        process.kill()
        process.wait()
    raise AssertionError(f"docker-registry did not start:\n{log.read_text()}")


def _wait_ready(url: str, process: subprocess.Popen[bytes], ca: Path | None) -> bool:
    deadline = time.monotonic() + 15
    verify: Any = True
    if ca is not None:
        import ssl

        verify = ssl.create_default_context(cafile=str(ca))
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            httpx.get(url, timeout=1, verify=verify)
            return True
        except httpx.HTTPError:
            time.sleep(0.05)
    return False


@pytest.fixture(scope="session")
def plain_registry(
    tmp_path_factory: pytest.TempPathFactory, oci_layout: Layout
) -> Iterator[Registry]:
    root = tmp_path_factory.mktemp("plain-registry")
    host, process, log = _start_registry(root, {})
    registry = Registry(host, process, log)
    try:
        registry.push(oci_layout, "amd64", "team/app:amd64")
        registry.push(oci_layout, "multi", "team/app:multi", all_images=True)
        yield registry
    finally:
        registry.stop()


@pytest.fixture(scope="session")
def test_ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="session")
def tls_registry(
    tmp_path_factory: pytest.TempPathFactory, oci_layout: Layout, test_ca: trustme.CA
) -> Iterator[Registry]:
    root = tmp_path_factory.mktemp("tls-registry")
    leaf = test_ca.issue_cert("127.0.0.1", "localhost")
    cert, key, ca_pem = root / "server.crt", root / "server.key", root / "ca.pem"
    leaf.cert_chain_pems[0].write_to_path(str(cert))
    leaf.private_key_pem.write_to_path(str(key))
    test_ca.cert_pem.write_to_path(str(ca_pem))
    cert_dir = root / "certs.d"
    cert_dir.mkdir()
    shutil.copy(ca_pem, cert_dir / "ca.crt")
    htpasswd = root / "htpasswd"
    htpasswd.write_text(run("htpasswd", "-Bbn", USER, PASSWORD))
    extra = {
        "http": {"tls": {"certificate": str(cert), "key": str(key)}},
        "auth": {"htpasswd": {"realm": "hullguard-test", "path": str(htpasswd)}},
    }
    host, process, log = _start_registry(root, extra, scheme="https", ca=ca_pem)
    registry = Registry(
        host, process, log,
        tls_args=(f"--dest-cert-dir={cert_dir}",),
        creds=(USER, PASSWORD), ca_pem=ca_pem, cert_dir=cert_dir,
    )  # fmt: skip
    try:
        registry.push(oci_layout, "amd64", "team/app:amd64")
        yield registry
    finally:
        registry.stop()


# -- token service ------------------------------------------------------


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class TokenServer:
    """Issues distribution-spec JWTs signed by a key the registry trusts (x5c chain).

    ``tester``/PASSWORD gets every action it asks for; the identity token
    (OAuth2 refresh-token POST) stands for ``tester``; anonymous callers get
    ``pull`` on ``public/*`` only.
    """

    key: ec.EllipticCurvePrivateKey
    cert_der: bytes
    requests: list[dict[str, Any]] = field(default_factory=list)
    port: int = 0
    server: ThreadingHTTPServer | None = None

    @property
    def realm(self) -> str:
        return f"http://127.0.0.1:{self.port}/token"

    def sign(self, claims: dict[str, Any]) -> str:
        header = {"typ": "JWT", "alg": "ES256", "x5c": [base64.b64encode(self.cert_der).decode()]}
        signing_input = (
            f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
        )
        r, s = decode_dss_signature(
            self.key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256()))
        )
        return f"{signing_input}.{_b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"

    def grant(self, user: str | None, scopes: list[str]) -> list[dict[str, Any]]:
        access = []
        for scope in scopes:
            for item in scope.split():
                kind, _, rest = item.partition(":")
                name, _, actions = rest.rpartition(":")
                wanted = [a for a in actions.split(",") if a]
                if user is None:
                    wanted = ["pull"] if name.startswith("public/") and "pull" in wanted else []
                if wanted:
                    access.append({"type": kind, "name": name, "actions": wanted})
        return access

    def issue(self, user: str | None, scopes: list[str]) -> bytes:
        now = int(time.time())
        claims = {
            "iss": ISSUER, "sub": user or "", "aud": SERVICE, "exp": now + 300, "nbf": now - 10,
            "iat": now, "jti": uuid.uuid4().hex, "access": self.grant(user, scopes),
        }  # fmt: skip
        token = self.sign(claims)
        return json.dumps({"token": token, "access_token": token, "expires_in": 300}).encode()


def _token_handler(server: TokenServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return None

        def _reply(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            query = parse_qs(urlsplit(self.path).query)
            scopes = query.get("scope", [])
            auth = self.headers.get("Authorization", "")
            server.requests.append({"method": "GET", "scopes": scopes, "auth": auth})
            user = None
            if auth:
                decoded = base64.b64decode(auth.removeprefix("Basic ")).decode()
                if decoded != f"{USER}:{PASSWORD}":
                    self._reply(401, b'{"details":"wrong credentials"}')
                    return
                user = USER
            self._reply(200, server.issue(user, scopes))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = parse_qs(self.rfile.read(length).decode())
            server.requests.append({"method": "POST", "form": form})
            if form.get("grant_type") != ["refresh_token"] or form.get("refresh_token") != [
                IDENTITY_TOKEN
            ]:
                self._reply(401, b'{"details":"bad refresh token"}')
                return
            self._reply(200, server.issue(USER, form.get("scope", [""])[0].split()))

    return Handler


@pytest.fixture(scope="session")
def token_registry(
    tmp_path_factory: pytest.TempPathFactory, oci_layout: Layout
) -> Iterator[Registry]:
    root = tmp_path_factory.mktemp("token-registry")
    ca = trustme.CA()
    signer = ca.issue_cert("hullguard-token-signer")
    key = serialization.load_pem_private_key(signer.private_key_pem.bytes(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    from cryptography import x509

    cert = x509.load_pem_x509_certificate(signer.cert_chain_pems[0].bytes())
    tokens = TokenServer(key, cert.public_bytes(serialization.Encoding.DER))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _token_handler(tokens))
    tokens.port, tokens.server = int(httpd.server_address[1]), httpd
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    bundle = root / "token-ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    extra = {
        "auth": {
            "token": {
                "realm": tokens.realm,
                "service": SERVICE,
                "issuer": ISSUER,
                "rootcertbundle": str(bundle),
            }
        }
    }
    host, process, log = _start_registry(root, extra)
    registry = Registry(host, process, log, creds=(USER, PASSWORD), token_server=tokens)
    try:
        registry.push(oci_layout, "amd64", "team/app:amd64")
        registry.push(oci_layout, "amd64", "public/app:amd64")
        yield registry
    finally:
        registry.stop()
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def empty_docker_config(tmp_path: Path) -> Path:
    """A DOCKER_CONFIG directory with no credentials, so tests never read the real one."""
    directory = tmp_path / "docker-config"
    directory.mkdir()
    return directory


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on."""
    return free_port()
