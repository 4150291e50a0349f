"""Shared fixtures for SBOM renderer tests: a real package set from shared/ fixtures."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from hullguard.catalog.run import attribute_layers, catalog_files
from hullguard.model.sbom import SbomDocument, SbomSubject, SubjectKind

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
def sbom_doc(fixtures: Path) -> SbomDocument:
    """The real Debian 12 host dpkg database plus a PyPI and an npm package, with layers."""
    host = fixtures / "local-debian12-host"
    files = {
        "/etc/os-release": (host / "etc/os-release").read_bytes(),
        "/var/lib/dpkg/status": (host / "var/lib/dpkg/status").read_bytes(),
        "/app/venv/lib/python3.11/site-packages/Foo_Bar-1.0.dist-info/METADATA": (
            b"Name: Foo_Bar\nVersion: 1.0\nLicense: MIT License, see LICENSE\n"
        ),
        "/app/node_modules/@scope/pkg/package.json": (
            b'{"name": "@scope/pkg", "version": "2.0.0", "license": "(MIT OR Apache-2.0)"}'
        ),
    }
    result = catalog_files(files)

    def locate(path: str) -> tuple[int, str, str] | None:
        if path.startswith("/app/"):
            return (1, "sha256:" + "b" * 64, "RUN pip install foo && npm ci")
        return (0, "sha256:" + "a" * 64, "/bin/sh -c #(nop) ADD file:x in / ")

    packages = tuple(attribute_layers(result.packages, locate))
    return SbomDocument(
        subject=SbomSubject("example.test/app:1.0", SubjectKind.IMAGE, "sha256:" + "c" * 64),
        os_info=result.os_info,
        packages=packages,
        created=datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC),
        tool_version="0.1.0",
    )
