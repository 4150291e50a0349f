"""npm cataloger on Syft's javascript fixtures (syft/pkg/cataloger/javascript/testdata).

Expected packages are the fixtures' own entries: lockfile keys / ``dependencies`` and
the ``name``/``version`` of installed manifests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hullguard.catalog.npm import NpmCataloger, installed_manifest, licenses_of


@pytest.fixture(scope="module")
def js(syft_catalogers: Path) -> Path:
    return syft_catalogers / "javascript" / "testdata"


def _lock(js: Path, name: str) -> list[tuple[str, str]]:
    files = {"/app/package-lock.json": (js / "pkg-lock" / name).read_bytes()}
    return [(p.name, p.version) for p in NpmCataloger().catalog(files, None)]


def test_lock_v3_skips_dev(js: Path) -> None:
    assert _lock(js, "package-lock-3.json") == [
        ("@types/prop-types", "15.7.5"),
        ("@types/react", "18.0.20"),
        ("@types/scheduler", "0.16.2"),
        ("csstype", "3.1.1"),
    ]  # "async" is "dev": true


def test_lock_v2(js: Path) -> None:
    assert _lock(js, "package-lock-2.json") == [
        ("@types/prop-types", "15.7.5"),
        ("@types/react", "18.0.17"),
        ("@types/scheduler", "0.16.2"),
        ("csstype", "3.1.0"),
    ]


def test_lock_v1_nested_and_dev_subtree(js: Path) -> None:
    assert sorted(_lock(js, "nested-package-lock-1.json")) == [
        ("duplicate", "1.0.0"),
        ("duplicate", "1.0.0"),
        ("middle", "1.0.0"),
        ("parent", "1.0.0"),
        ("shared", "0.5.0"),
        ("shared", "1.0.0"),
        ("shared", "2.0.0"),
    ]  # dev-parent and its child dev-nested are dev-only


def test_lock_aliases(js: Path) -> None:
    assert sorted(_lock(js, "alias-package-lock-1.json")) == [
        ("@bundled-es-modules/chai", "4.2.2"),
        ("case", "1.6.2"),
        ("case", "1.6.3"),
    ]
    assert sorted(_lock(js, "alias-package-lock-2.json")) == [
        ("@bundled-es-modules/chai", "4.2.2"),
        ("case", "1.6.2"),
        ("case", "1.6.3"),
    ]


def test_installed_packages_replace_lock_entries(js: Path) -> None:
    root = js / "pkg-lock"
    files = {
        "/app/package-lock.json": (root / "package-lock.json").read_bytes(),
        "/app/node_modules/cowsay/package.json": (
            root / "node_modules/cowsay/package.json"
        ).read_bytes(),
        "/app/node_modules/@actions/core/package.json": (
            root / "node_modules/@actions/core/package.json"
        ).read_bytes(),
    }
    pkgs = NpmCataloger().catalog(files, None)
    cowsay = [p for p in pkgs if p.name == "cowsay"]
    assert [(p.version, p.evidence[0].path) for p in cowsay] == [
        ("1.4.0", "/app/node_modules/cowsay/package.json")
    ]
    core = [p for p in pkgs if p.name == "@actions/core"]
    assert [p.purl for p in core] == ["pkg:npm/%40actions/core@1.6.0"]
    assert len(pkgs) == 11  # 12 lock entries minus the dev "node_modules/async"


@pytest.mark.parametrize(
    ("path", "wanted"),
    [
        ("/app/node_modules/lodash/package.json", True),
        ("/app/node_modules/@babel/core/package.json", True),
        ("/app/node_modules/a/node_modules/b/package.json", True),
        ("/app/node_modules/lodash/test/fixtures/package.json", False),
        ("/app/node_modules/.bin/package.json", False),
        ("/app/package.json", False),
        ("/app/package-lock.json", True),
        ("/app/node_modules/.package-lock.json", False),
    ],
)
def test_wants(path: str, wanted: bool) -> None:
    assert NpmCataloger().wants(path) is wanted
    if path.endswith("/package.json"):
        assert installed_manifest(path) is wanted


def test_manifest_without_version_skipped() -> None:
    files = {"/n/node_modules/x/package.json": b'{"name": "x"}'}
    assert NpmCataloger().catalog(files, None) == []


def test_license_forms(js: Path) -> None:
    import json

    doc = json.loads((js / "pkg-json/package-license-objects.json").read_text())
    assert licenses_of(doc) == ("MIT", "Apache-2.0")
    assert licenses_of({"license": {"type": "ISC"}}) == ("ISC",)
    assert licenses_of({"license": "MIT"}) == ("MIT",)
