"""Locations of the shared real-world fixtures (read in place, never copied)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


def shared_dir() -> Path:
    """``<repo>/../shared`` (CI layout), or two levels up for a git worktree checkout."""
    for candidate in (REPO.parent / "shared", REPO.parent.parent / "shared"):
        if (candidate / "fixtures").is_dir():
            return candidate
    pytest.fail("shared/ fixtures not found beside the repository")


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return shared_dir() / "fixtures"


@pytest.fixture(scope="session")
def syft_catalogers(fixtures: Path) -> Path:
    return fixtures / "syft" / "syft" / "pkg" / "cataloger"


@pytest.fixture(scope="session")
def rpmdb_testdata(fixtures: Path) -> Path:
    return fixtures / "go-rpmdb" / "pkg" / "testdata"
