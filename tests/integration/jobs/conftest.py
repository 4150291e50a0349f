"""A real PostgreSQL (tools/pgserver.py), a real registry (Debian's docker-registry) with
small real images (umoci builds, skopeo pushes), and helpers to run real worker processes.

Each test gets its own database in the session's PostgreSQL cluster, so queues never
leak between tests. Nothing leaves the loopback interface.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import httpx
import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
TOOLS = ("docker-registry", "skopeo", "umoci")

#: where the workers store what they scan. The queue is always PostgreSQL; flip this to
#: True once the inventory store accepts postgresql:// URLs (then queue and inventory
#: share one database, as in production).
INVENTORY_ON_POSTGRES = True

#: two images with different content (distinct digests), pushed under these names
PUSHES = {
    "v1": ["team/app:1.0", "team/app:1.1", "team/api:v1", "ops/tool:stable"],
    "v2": ["team/app:2.0", "team/api:v2"],
}


def _load_pgserver() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pgserver", REPO / "tools" / "pgserver.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["pgserver"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def pg_server() -> Iterator[object]:
    pgserver = _load_pgserver()
    try:
        server = pgserver.PgServer.start()
    except pgserver.PgUnavailable as exc:
        pytest.skip(str(exc))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def queue_url(pg_server: object) -> str:
    """A fresh, empty database for this test."""
    url: str = pg_server.create_database(f"q_{uuid.uuid4().hex[:12]}")  # type: ignore[attr-defined]
    return url


@pytest.fixture
def inventory_target(tmp_path: Path, queue_url: str) -> str:
    return queue_url if INVENTORY_ON_POSTGRES else str(tmp_path / "inventory.db")


# -- images and registry ------------------------------------------------------


def run(*args: str) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


DPKG_STATUS = """Package: hullguard-demo
Status: install ok installed
Priority: optional
Section: misc
Installed-Size: 12
Maintainer: Test Maintainer <test@example.invalid>
Architecture: amd64
Version: {version}
Description: demo package for the hullguard worker tests
"""


@pytest.fixture(scope="session")
def oci_layout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An OCI layout (umoci) with tags v1 and v2: one dpkg package each, different versions."""
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        pytest.skip(f"missing tools: {', '.join(missing)} (make apt installs them)")
    root = tmp_path_factory.mktemp("umoci")
    layout = root / "layout"
    run("umoci", "init", "--layout", str(layout))
    run("umoci", "new", "--image", f"{layout}:base")
    for tag, version in (("v1", "1.0-1"), ("v2", "2.0-1")):
        bundle = root / f"bundle-{tag}"
        run("umoci", "unpack", "--rootless", "--image", f"{layout}:base", str(bundle))
        rootfs = bundle / "rootfs"
        (rootfs / "etc").mkdir(parents=True, exist_ok=True)
        (rootfs / "etc" / "os-release").write_text('ID=debian\nVERSION_ID="12"\n')
        dpkg = rootfs / "var" / "lib" / "dpkg"
        dpkg.mkdir(parents=True, exist_ok=True)
        (dpkg / "status").write_text(DPKG_STATUS.format(version=version))
        run("umoci", "repack", "--image", f"{layout}:{tag}", str(bundle))
        run("umoci", "config", "--image", f"{layout}:{tag}", "--os", "linux",
            "--architecture", "amd64")  # fmt: skip
    return layout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Registry:
    host: str
    process: subprocess.Popen[bytes]

    def push(self, layout: Path, tag: str, repo_tag: str) -> None:
        run("skopeo", "copy", "-q", "--dest-tls-verify=false",
            f"oci:{layout}:{tag}", f"docker://{self.host}/{repo_tag}")  # fmt: skip


def _start(root: Path) -> Registry:
    port = _free_port()
    config = {
        "version": 0.1,
        "log": {"level": "warn", "accesslog": {"disabled": True}},
        "storage": {"filesystem": {"rootdirectory": str(root / "storage")}},
        "http": {"addr": f"127.0.0.1:{port}", "secret": uuid.uuid4().hex},
    }
    (root / "config.yml").write_text(yaml.safe_dump(config))
    with (root / "registry.log").open("ab") as log:
        process = subprocess.Popen(
            ["docker-registry", "serve", str(root / "config.yml")], stdout=log, stderr=log
        )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and process.poll() is None:
        try:
            httpx.get(f"http://127.0.0.1:{port}/v2/", timeout=1)
            return Registry(f"127.0.0.1:{port}", process)
        except httpx.HTTPError:
            time.sleep(0.05)
    process.kill()
    raise AssertionError(f"docker-registry did not start:\n{(root / 'registry.log').read_text()}")


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory, oci_layout: Path) -> Iterator[Registry]:
    reg = _start(tmp_path_factory.mktemp("registry"))
    try:
        for tag, names in PUSHES.items():
            for name in names:
                reg.push(oci_layout, tag, name)
        yield reg
    finally:
        reg.process.terminate()
        reg.process.wait(timeout=10)


# -- processes ------------------------------------------------------------------

#: short leases and polls so a dead worker's job comes back within seconds
FAST = ["--lease", "1.5", "--poll-interval", "0.1", "--retry-delay", "0", "--insecure"]


def hullguard_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), env.get("PYTHONPATH", "")])
    env.pop("HULLGUARD_DATABASE_URL", None)
    env.update(extra)
    return env


@dataclass(frozen=True)
class Hullguard:
    """Runs ``python -m hullguard`` as real processes with one cache dir."""

    cache_dir: Path

    def cmd(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "hullguard", "--cache-dir", str(self.cache_dir), *args]

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(self.cmd(*args), capture_output=True, text=True, timeout=60,
                              env=hullguard_env(), check=False)  # fmt: skip

    def worker(self, url: str, inventory: str, *extra: str, hold: float = 0) -> (
        subprocess.Popen[str]
    ):  # fmt: skip
        """A worker process; ``hold`` makes each of its jobs sleep that long (test hook)."""
        env = hullguard_env(HULLGUARD_WORKER_TEST_HOLD_SECONDS=str(hold)) if hold else None
        cmd = self.cmd("worker", "--database", url, "--inventory", inventory, *FAST, *extra)
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=env or hullguard_env())  # fmt: skip


@pytest.fixture
def hullguard(tmp_path: Path) -> Hullguard:
    return Hullguard(tmp_path / "cache")


@pytest.fixture(scope="session")
def pushed_refs() -> list[str]:
    """``repo:tag`` of every pushed image, sorted."""
    return sorted(name for names in PUSHES.values() for name in names)
