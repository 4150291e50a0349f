"""Fixtures for lint unit tests: the Dockerfile corpus and a parse helper."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from hullguard.lint.dockerfile.model import Dockerfile
from hullguard.lint.dockerfile.parser import parse

CORPUS = Path(__file__).resolve().parents[2] / "data" / "dockerfiles"


@pytest.fixture
def corpus() -> Path:
    return CORPUS


@pytest.fixture
def load() -> Callable[[str], Dockerfile]:
    """Parse a corpus file by its number prefix (e.g. ``"07"``)."""

    def _load(name: str) -> Dockerfile:
        matches = sorted(CORPUS.glob(f"{name}-*.Dockerfile"))
        assert len(matches) == 1, name
        return parse(matches[0].read_bytes(), matches[0].name)

    return _load
