"""Real images (tools/imagebuild.py), the real advisory data, and a real registry."""

from __future__ import annotations

import importlib.util
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[3]


def _shared_dir() -> Path:
    """``<repo>/../shared`` (CI layout), or two levels up for a git worktree checkout."""
    for candidate in (REPO.parent / "shared", REPO.parent.parent / "shared"):
        if (candidate / "vulndata").is_dir():
            return candidate
    pytest.fail("shared/vulndata not found beside the repository")


@pytest.fixture(scope="session")
def imagebuild() -> ModuleType:
    spec = importlib.util.spec_from_file_location("imagebuild", REPO / "tools" / "imagebuild.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["imagebuild"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def app_oci(imagebuild: ModuleType) -> Path:
    path: Path = imagebuild.app_oci()
    return path


@pytest.fixture(scope="session")
def vuln_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from hullguard.vulndb import SourceInput, build_database

    path = tmp_path_factory.mktemp("vulndb") / "vuln.db"
    vulndata = _shared_dir() / "vulndata"
    build_database(path, [SourceInput("vulndata", vulndata)], now=datetime.now(UTC))
    return path
