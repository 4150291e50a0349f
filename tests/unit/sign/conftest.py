"""Locations of the real cosign fixtures (read in place, never copied)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def cosign_testdata() -> Path:
    """``<repo>/../shared/fixtures/cosign/pkg/cosign/testdata`` (worktree: two levels up)."""
    for candidate in (REPO_ROOT.parent / "shared", REPO_ROOT.parent.parent / "shared"):
        path = candidate / "fixtures" / "cosign" / "pkg" / "cosign" / "testdata"
        if path.is_dir():
            return path
    pytest.fail("shared/fixtures/cosign not found beside the repository")


@pytest.fixture(scope="session")
def containers_image_signatures() -> Path:
    """containers/image's real cosign/skopeo signature fixtures (read in place)."""
    for candidate in (REPO_ROOT.parent / "shared", REPO_ROOT.parent.parent / "shared"):
        path = candidate / "fixtures" / "containers-image" / "signature" / "fixtures"
        if path.is_dir():
            return path
    pytest.fail("shared/fixtures/containers-image not found beside the repository")
