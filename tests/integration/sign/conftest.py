"""Real parts for the signing tests: docker-registry (plain HTTP and TLS + htpasswd),
an image built with umoci and pushed with skopeo, and trixie's cosign/skopeo.

Copied in reduced form from tests/integration/registry/conftest.py (pytest
importlib mode cannot import another conftest). Nothing leaves 127.0.0.1
except the apt download of the trixie packages from the machine's mirror.
"""

from __future__ import annotations

import os
import shutil
import socket
import ssl
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import trustme
import yaml

REPO_ROOT = Path(__file__).resolve().parents[3]
USER = "tester"
PASSWORD = "test-password-not-secret"  # fake, loopback only
KEY_PASSWORD = "hullguard-test-key-password"  # fake


def run(
    *args: str, env: dict[str, str] | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, capture_output=True, text=True, timeout=300, env=env)
    if check and done.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def _require(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        pytest.skip(f"missing tools: {', '.join(missing)} (make apt installs them)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def oci_layout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An OCI layout with tags ``one`` and ``two`` (two different images)."""
    _require("umoci", "skopeo", "docker-registry", "htpasswd")
    root = tmp_path_factory.mktemp("umoci")
    layout, bundle = root / "layout", root / "bundle"
    run("umoci", "init", "--layout", str(layout))
    run("umoci", "new", "--image", f"{layout}:base")
    run("umoci", "unpack", "--image", f"{layout}:base", str(bundle))
    etc = bundle / "rootfs" / "etc"
    etc.mkdir(parents=True, exist_ok=True)
    for tag in ("one", "two"):
        (etc / "motd").write_text(f"image {tag} for the hullguard signing tests\n")
        run("umoci", "repack", "--image", f"{layout}:{tag}", str(bundle))
    return layout


@dataclass
class Registry:
    host: str
    process: subprocess.Popen[bytes]
    cert_dir: Path | None = None
    ca_pem: Path | None = None
    creds: tuple[str, str] | None = None

    def skopeo_dest(self) -> list[str]:
        args = (
            [f"--dest-cert-dir={self.cert_dir}"] if self.cert_dir else ["--dest-tls-verify=false"]
        )
        if self.creds:
            args.append(f"--dest-creds={self.creds[0]}:{self.creds[1]}")
        return args

    def push(self, layout: Path, tag: str, repo_tag: str, fmt: str = "oci") -> None:
        extra = ["--format=v2s2"] if fmt == "docker" else []
        run("skopeo", "copy", "-q", *extra, *self.skopeo_dest(),
            f"oci:{layout}:{tag}", f"docker://{self.host}/{repo_tag}")  # fmt: skip

    def hg_flags(self) -> list[str]:
        if self.ca_pem is None:
            return ["--insecure"]
        return ["--ca-cert", str(self.ca_pem), "--username", USER]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _start(
    root: Path, extra: dict[str, object], scheme: str, ca: Path | None
) -> tuple[str, subprocess.Popen[bytes]]:
    for _ in range(5):
        port = free_port()
        http: dict[str, object] = {"addr": f"127.0.0.1:{port}", "secret": uuid.uuid4().hex}
        http.update(extra.get("http", {}))  # type: ignore[call-overload]
        config = {
            "version": 0.1,
            "log": {"level": "error", "accesslog": {"disabled": True}},
            "storage": {
                "filesystem": {"rootdirectory": str(root / "storage")},
                "delete": {"enabled": True},
            },
            "http": http,
            **{k: v for k, v in extra.items() if k != "http"},
        }
        cfg = root / "config.yml"
        cfg.write_text(yaml.safe_dump(config))
        with (root / "registry.log").open("ab") as out:
            process = subprocess.Popen(
                ["docker-registry", "serve", str(cfg)], stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and process.poll() is None:
            try:
                httpx.get(
                    f"{scheme}://127.0.0.1:{port}/v2/",
                    timeout=1,
                    verify=ssl.create_default_context(cafile=str(ca)) if ca else True,
                )
                return f"127.0.0.1:{port}", process
            except httpx.HTTPError:
                time.sleep(0.05)
        process.kill()
        process.wait()
    raise AssertionError("docker-registry did not start")


@pytest.fixture(scope="session")
def plain_registry(
    tmp_path_factory: pytest.TempPathFactory, oci_layout: Path
) -> Iterator[Registry]:
    root = tmp_path_factory.mktemp("plain-registry")
    host, process = _start(root, {}, "http", None)
    registry = Registry(host, process)
    try:
        yield registry
    finally:
        registry.stop()


@pytest.fixture(scope="session")
def tls_registry(tmp_path_factory: pytest.TempPathFactory, oci_layout: Path) -> Iterator[Registry]:
    root = tmp_path_factory.mktemp("tls-registry")
    ca = trustme.CA()
    leaf = ca.issue_cert("127.0.0.1", "localhost")
    cert, key, ca_pem = root / "server.crt", root / "server.key", root / "ca.pem"
    leaf.cert_chain_pems[0].write_to_path(str(cert))
    leaf.private_key_pem.write_to_path(str(key))
    ca.cert_pem.write_to_path(str(ca_pem))
    cert_dir = root / "certs.d"
    cert_dir.mkdir()
    shutil.copy(ca_pem, cert_dir / "ca.crt")
    htpasswd = root / "htpasswd"
    htpasswd.write_text(run("htpasswd", "-Bbn", USER, PASSWORD).stdout)
    extra = {
        "http": {"tls": {"certificate": str(cert), "key": str(key)}},
        "auth": {"htpasswd": {"realm": "hullguard-test", "path": str(htpasswd)}},
    }
    host, process = _start(root, extra, "https", ca_pem)
    registry = Registry(host, process, cert_dir=cert_dir, ca_pem=ca_pem, creds=(USER, PASSWORD))
    try:
        yield registry
    finally:
        registry.stop()


@pytest.fixture(scope="session")
def trixie_bin() -> Path:
    """trixie's cosign and skopeo wrappers (downloaded once into <repo>/.cache)."""
    _require("apt-get", "dpkg-deb")
    done = run("bash", str(REPO_ROOT / "tools" / "trixie_tools.sh"), check=False)
    if done.returncode != 0:
        pytest.fail(f"tools/trixie_tools.sh failed:\n{done.stderr[-2000:]}")
    return Path(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def key_env() -> dict[str, str]:
    return {**os.environ, "COSIGN_PASSWORD": KEY_PASSWORD}


@pytest.fixture(scope="session")
def cosign_fixtures() -> Path:
    """``<repo>/../shared/fixtures/cosign`` (or two levels up for a git worktree)."""
    for candidate in (REPO_ROOT.parent / "shared", REPO_ROOT.parent.parent / "shared"):
        if (candidate / "fixtures" / "cosign").is_dir():
            return candidate / "fixtures" / "cosign"
    pytest.fail("shared/fixtures/cosign not found beside the repository")
