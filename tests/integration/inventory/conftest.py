"""Real images (tools/imagebuild.py), real SBOMs and advisories from ../shared, one CLI runner,
and a real PostgreSQL server (tools/pgserver.py): inventory tests run on both backends."""

from __future__ import annotations

import atexit
import importlib.util
import itertools
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from hullguard.cli.main import main

REPO = Path(__file__).resolve().parents[3]


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


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


Run = Callable[..., Result]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Run:
    """``hullguard ARGS`` in-process; exit code, stdout and stderr."""

    def invoke(*args: str) -> Result:
        capsys.readouterr()
        code = 0
        try:
            main(["-q", "--cache-dir", str(CACHE_DIR), *args])
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


CACHE_DIR = Path(tempfile.mkdtemp(prefix="hg-inventory-cache-"))
atexit.register(shutil.rmtree, CACHE_DIR, True)


def _tool(name: str) -> ModuleType:
    """``tools/<name>.py`` (registered in sys.modules first: they define dataclasses)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, REPO / "tools" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def imagebuild() -> ModuleType:
    return _tool("imagebuild")


#: every inventory backend; tests taking ``inventory_db`` or ``fleet`` run on each
BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Any]:
    """One throwaway PostgreSQL cluster per session (a missing server fails, never skips)."""
    pgserver = _tool("pgserver")
    try:
        server = pgserver.PgServer.start()
    except (pgserver.PgUnavailable, RuntimeError) as exc:
        pytest.fail(
            f"PostgreSQL is required by the inventory tests and could not start: {exc} "
            "(apt-get install postgresql, or `make deps`)",
            pytrace=False,
        )
    yield server
    server.stop()


_DATABASES = itertools.count(1)


def new_database(request: pytest.FixtureRequest, backend: str, folder: Path) -> str:
    """A fresh, empty inventory as a ``--database`` value for ``backend``."""
    if backend == "sqlite":
        return str(folder / "inv.db")
    server = request.getfixturevalue("pg_server")
    return str(server.create_database(f"inv_{next(_DATABASES)}"))


@pytest.fixture(params=BACKENDS)
def inventory_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty inventory (SQLite file or PostgreSQL database) for one test."""
    return new_database(request, request.param, tmp_path)


@pytest.fixture(params=BACKENDS)
def inventory_pair(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    """Two empty inventories on the same backend (differential tests)."""
    return tuple(  # type: ignore[return-value]
        new_database(request, request.param, tmp_path / name) for name in ("a", "b")
    )


@pytest.fixture(scope="session")
def micronaut_sbom() -> Path:
    return MICRONAUT_SBOM


@pytest.fixture(scope="session")
def app_ref(imagebuild: ModuleType) -> str:
    return f"oci:{imagebuild.app_oci()}:1.0"


@pytest.fixture(scope="session")
def debian_ref(imagebuild: ModuleType) -> str:
    return f"oci:{imagebuild.debian_oci()}:base"


@pytest.fixture(scope="session")
def base_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """OSV PyPI + Go imported with `hullguard db import` (npm left out for the rescan test)."""
    path = tmp_path_factory.mktemp("vulndb") / "vuln.db"
    code = _main("db", "import", "--db", str(path), str(VULNDATA / "osv/pypi"),
                 str(VULNDATA / "osv/go"))  # fmt: skip
    assert code == 0
    return path


def _main(*args: str) -> int:
    try:
        main(["-q", "--cache-dir", str(CACHE_DIR), *args])
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


@pytest.fixture
def fresh_db(base_db: Path, tmp_path: Path) -> Path:
    """A private copy of the base database (tests that import more sources)."""
    path = tmp_path / "vuln.db"
    shutil.copy(base_db, path)
    return path


def import_npm(db: Path) -> None:
    assert _main("db", "import", "--db", str(db), str(VULNDATA / "npm")) == 0


@pytest.fixture(scope="session", params=BACKENDS)
def fleet(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    base_db: Path,
    app_ref: str,
    debian_ref: str,
) -> str:
    """An inventory with both test images and both real SBOMs (built once per backend)."""
    path = new_database(request, request.param, tmp_path_factory.mktemp("inventory"))
    common = ["--database", path, "--db", str(base_db)]
    assert _main("inventory", "add", app_ref, "--deployment", "web", "--namespace", "shop",
                 "--cluster", "prod-eu", "--environment", "prod", *common) == 0  # fmt: skip
    assert _main("inventory", "add", debian_ref, *common) == 0
    assert _main("inventory", "add", f"sbom:{ALPINE_SBOM}", *common) == 0
    assert _main("inventory", "add", f"sbom:{MICRONAUT_SBOM}", *common) == 0
    return path


@pytest.fixture(scope="session")
def alpine_sbom() -> Path:
    return ALPINE_SBOM


@pytest.fixture(scope="session")
def vulndata() -> Path:
    return VULNDATA


@pytest.fixture(scope="session")
def add_npm_source() -> Callable[[Path], None]:
    """Import the npm advisories into a database (a second `db import`)."""
    return import_npm
