"""Fixtures for the secret engine's unit tests (fake values: see secret_fakes.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hullguard.secrets import SecretScanner


@pytest.fixture(scope="session")
def scanner() -> SecretScanner:
    return SecretScanner()
