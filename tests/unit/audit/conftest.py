"""Fixtures for the audit tests: the manifest corpus under tests/data/manifests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from hullguard.audit.engine import audit_bytes
from hullguard.audit.interface import AuditOptions, FileResult, Profile

DATA = Path(__file__).resolve().parents[2] / "data"
MANIFESTS = DATA / "manifests"


@pytest.fixture
def manifests() -> Path:
    return MANIFESTS


@pytest.fixture
def audit_text() -> Callable[..., FileResult]:
    def run(text: str, profile: Profile = Profile.RESTRICTED, fix: bool = False) -> FileResult:
        return audit_bytes(text.encode(), "input.yaml", AuditOptions(profile, fix))

    return run


@pytest.fixture
def audit_file() -> Callable[..., FileResult]:
    def run(name: str, profile: Profile = Profile.RESTRICTED, fix: bool = False) -> FileResult:
        path = MANIFESTS / name
        return audit_bytes(path.read_bytes(), name, AuditOptions(profile, fix))

    return run
