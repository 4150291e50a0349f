"""A real inventory (a real test image, real SBOMs, real OSV advisories) and real
``hullguard serve`` processes on 127.0.0.1, for the API and browser tests."""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

from hullguard.cli.main import main

REPO = Path(__file__).resolve().parents[3]
TOKEN = "test-token-0123456789-not-a-secret"


def shared_dir() -> Path:
    """``<repo>/../shared`` (CI layout), or two levels up for a git worktree checkout."""
    for candidate in (REPO.parent / "shared", REPO.parent.parent / "shared"):
        if (candidate / "vulndata").is_dir():
            return candidate
    pytest.fail("shared/ not found beside the repository")


SHARED = shared_dir()
VULNDATA = SHARED / "vulndata"
ALPINE_SBOM = (
    SHARED / "fixtures/syft/syft/pkg/cataloger/sbom/testdata/alpine/syft-json/sbom.syft.json"
)
MICRONAUT_SBOM = (
    SHARED / "fixtures/syft/syft/pkg/cataloger/java/testdata/graalvm-sbom/micronaut.json"
)
CACHE_DIR = Path(tempfile.mkdtemp(prefix="hg-api-cache-"))
atexit.register(shutil.rmtree, CACHE_DIR, True)


def artifacts_dir() -> Path:
    """Where screenshots go: ``$HULLGUARD_TEST_ARTIFACTS`` or ``<repo>/.cache/test-artifacts``."""
    path = Path(os.environ.get("HULLGUARD_TEST_ARTIFACTS", REPO / ".cache" / "test-artifacts"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def hg(*args: str) -> int:
    """``hullguard ARGS`` in-process; the exit code."""
    try:
        main(["-q", "--cache-dir", str(CACHE_DIR), *args])
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def hg_json(*args: str) -> dict[str, object]:
    """``hullguard ARGS -f json`` run in-process through the CLI's own entry point, parsed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = hg(*args, "-f", "json")
    assert code == 0, (args, out.getvalue())
    doc: dict[str, object] = json.loads(out.getvalue())
    return doc


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO / "src")}


def _imagebuild() -> ModuleType:
    spec = importlib.util.spec_from_file_location("imagebuild", REPO / "tools" / "imagebuild.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["imagebuild"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def app_ref() -> str:
    """The real test image (Debian + pip packages, built by buildah; cached)."""
    return f"oci:{_imagebuild().app_oci()}:1.0"


@pytest.fixture(scope="session")
def vulndb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """OSV PyPI + Go advisories imported with `hullguard db import`."""
    path = tmp_path_factory.mktemp("vulndb") / "vuln.db"
    code = hg("db", "import", "--db", str(path), str(VULNDATA / "osv/pypi"),
                 str(VULNDATA / "osv/go"))  # fmt: skip
    assert code == 0
    return path


@pytest.fixture(scope="session")
def inventory(tmp_path_factory: pytest.TempPathFactory, vulndb: Path, app_ref: str) -> Path:
    """The app image (deployed as prod-eu/shop/web) and the Alpine Syft SBOM."""
    path = tmp_path_factory.mktemp("inventory") / "inventory.db"
    common = ["--database", str(path), "--db", str(vulndb)]
    assert hg("inventory", "add", app_ref, "--deployment", "web", "--namespace", "shop",
              "--cluster", "prod-eu", "--environment", "prod", *common) == 0  # fmt: skip
    assert hg("inventory", "add", f"sbom:{ALPINE_SBOM}", *common) == 0
    return path


@dataclass(frozen=True)
class Server:
    url: str
    database: Path
    vulndb: Path
    stderr: Path


Start = Callable[..., Server]


@pytest.fixture(scope="session")
def start_server(tmp_path_factory: pytest.TempPathFactory, vulndb: Path) -> Iterator[Start]:
    """Start ``hullguard serve`` (API mode) on 127.0.0.1 with a free port; stopped at the end."""
    procs: list[subprocess.Popen[str]] = []

    def start(database: Path, *extra: str, token: str | None = TOKEN) -> Server:
        work = tmp_path_factory.mktemp("server")
        args = ["--database", str(database), "--vulndb", str(vulndb), "--port", "0", *extra]
        if token is not None:
            (work / "token").write_text(token + "\n")
            args += ["--token-file", str(work / "token")]
        env = {k: v for k, v in _env().items() if k != "HULLGUARD_API_TOKEN"}
        log = work / "stderr.log"
        with log.open("w") as err:
            proc = subprocess.Popen(
                [sys.executable, "-m", "hullguard", "--cache-dir", str(CACHE_DIR), "serve",
                 *args],
                stderr=err, stdout=subprocess.DEVNULL, text=True, env=env,
            )  # fmt: skip
        procs.append(proc)
        return Server(_wait_for_url(proc, log), database, vulndb, log)

    yield start
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _wait_for_url(proc: subprocess.Popen[str], log: Path) -> str:
    import time

    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        match = re.search(r"http://127\.0\.0\.1:(\d+)", log.read_text())
        if match:
            url = f"http://127.0.0.1:{match.group(1)}"
            try:
                httpx.get(url + "/healthz", timeout=2)
            except httpx.TransportError:
                pass
            else:
                return url
        if proc.poll() is not None:
            pytest.fail(f"hullguard serve exited: {log.read_text()}")
        time.sleep(0.2)
    pytest.fail(f"hullguard serve did not start: {log.read_text()}")


def copy_inventory(source: Path, target_dir: Path) -> Path:
    """A private copy of an inventory (tests that write)."""
    target = target_dir / "inventory.db"
    shutil.copy(source, target)
    return target


@pytest.fixture(scope="session")
def read_server(start_server: Start, inventory: Path) -> Server:
    """A read-only server over the shared inventory (nothing writes to it)."""
    return start_server(inventory, "--read-only")


@pytest.fixture(scope="session")
def api_token() -> str:
    return TOKEN


@pytest.fixture(scope="session")
def cli_json() -> Callable[..., dict[str, object]]:
    """``hullguard ARGS -f json`` through the CLI, parsed (the answer to compare with)."""
    return hg_json


@pytest.fixture(scope="session")
def micronaut_sbom() -> Path:
    return MICRONAUT_SBOM


@pytest.fixture
def private_inventory(
    inventory: Path, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[], Path]:
    """Each call: a fresh private copy of the session inventory (for servers that write)."""
    return lambda: copy_inventory(inventory, tmp_path_factory.mktemp("inv"))


@pytest.fixture(scope="session")
def artifacts() -> Path:
    return artifacts_dir()
