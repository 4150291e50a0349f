"""Session fixtures: the whole of ../shared/vulndata imported once into a temp DB."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

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
def full_db(full_db_path: Path) -> Iterator[VulnDB]:
    db = open_db(full_db_path)
    yield db
    db.close()
