"""Python cataloger on Syft's python fixtures (syft/pkg/cataloger/python/testdata).

Expected names/versions/licences are the fixtures' own ``Name``, ``Version``,
``License`` and ``Classifier`` headers.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hullguard.catalog.purls import pep503
from hullguard.catalog.python import PythonCataloger, is_metadata_path, parse_metadata


@pytest.fixture(scope="module")
def py(syft_catalogers: Path) -> Path:
    return syft_catalogers / "python" / "testdata"


@pytest.mark.parametrize(
    ("rel", "name", "version", "licenses"),
    [
        (
            "site-packages/license/with-license-file-declared.dist-info/METADATA",
            "Pygments",
            "2.6.1",
            ("BSD License",),
        ),
        ("site-packages/partial.dist-info/METADATA", "Pygments", "2.6.1", ("BSD License",)),
        ("site-packages/nested/egg-name/egg-info/PKG-INFO", "requests", "2.22.0", ("Apache 2.0",)),
        ("site-packages/test/test.egg-info", "requests", "2.22.0", ("Apache 2.0",)),
        ("Python-2.7.egg-info", "Python", "2.7.13", ("PSF license",)),
    ],
)
def test_metadata(py: Path, rel: str, name: str, version: str, licenses: tuple[str, ...]) -> None:
    path = "/usr/lib/python3/dist-packages/" + rel
    pkg = parse_metadata(path, (py / rel).read_bytes())
    assert pkg is not None
    assert (pkg.name, pkg.version, pkg.licenses) == (name, version, licenses)
    assert pkg.purl == f"pkg:pypi/{pep503(name)}@{version}"
    assert pkg.evidence[0].path == path


@pytest.mark.parametrize(
    "rel", ["site-packages/no-version/no-version-py3.8.egg-info", "empty-1.0.0-py3.8.egg-info"]
)
def test_incomplete_metadata_is_skipped(py: Path, rel: str) -> None:
    assert parse_metadata("/x/" + rel, (py / rel).read_bytes()) is None


def test_glob_paths(py: Path) -> None:
    root = py / "glob-paths"
    found = sorted(
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file() and is_metadata_path("/" + str(p.relative_to(root)))
    )
    assert found == [
        "site-packages/v.DIST-INFO/METADATA",
        "site-packages/w.EGG-INFO/PKG-INFO",
        "site-packages/x.dist-info/METADATA",
        "site-packages/y.egg-info/PKG-INFO",
        "site-packages/z.egg-info",
    ]


def test_license_expression_wins() -> None:
    data = b"Name: a\nVersion: 1\nLicense-Expression: MIT OR Apache-2.0\nLicense: long\n"
    pkg = parse_metadata("/s/a-1.dist-info/METADATA", data)
    assert pkg is not None and pkg.licenses == ("MIT OR Apache-2.0",)


def test_long_license_text_falls_back_to_classifiers() -> None:
    data = (
        b"Name: a\nVersion: 1\nLicense: Copyright (c) 2020\n        Permission is granted\n"
        b"Classifier: License :: OSI Approved :: MIT License\n"
    )
    pkg = parse_metadata("/s/a-1.dist-info/METADATA", data)
    assert pkg is not None and pkg.licenses == ("MIT License",)


def test_pep503_purl() -> None:
    pkg = parse_metadata("/s/x.dist-info/METADATA", b"Name: Foo_Bar.baz\nVersion: 1.0\n")
    assert pkg is not None and pkg.purl == "pkg:pypi/foo-bar-baz@1.0"
    assert pkg.name == "Foo_Bar.baz"


def test_cataloger_sorted_and_site_root() -> None:
    files = {
        "/a/site-packages/b-1.dist-info/METADATA": b"Name: b\nVersion: 1\n",
        "/a/site-packages/a-2.dist-info/METADATA": b"Name: a\nVersion: 2\n",
    }
    pkgs = PythonCataloger().catalog(files, None)
    assert [p.name for p in pkgs] == ["a", "b"]
    assert pkgs[0].meta("sitePackagesRootPath") == "/a/site-packages"


def test_vendored_metadata_is_not_a_distribution() -> None:
    assert not is_metadata_path(
        "/venv/lib/python3.12/site-packages/setuptools/_vendor/packaging-24.2.dist-info/METADATA"
    )
