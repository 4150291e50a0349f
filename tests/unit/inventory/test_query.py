"""who-has spec parsing and range evaluation (PEP 440 checked against `packaging`)."""

from __future__ import annotations

import operator
import subprocess

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from hullguard.errors import UsageError
from hullguard.inventory.query import parse_query
from hullguard.model.package import PackageType


@pytest.mark.parametrize(
    ("text", "name", "types", "constraint"),
    [
        ("openssl<3.0.7", "openssl", None, "<3.0.7"),
        ("pypi:requests<2.31", "requests", {PackageType.PYTHON}, "<2.31"),
        ("npm:lodash@<4.17.21", "lodash", {PackageType.NPM}, "<4.17.21"),
        ("npm:@babel/core@^7.0.0", "@babel/core", {PackageType.NPM}, "^7.0.0"),
        ("pkg:npm/lodash@4.17.20", "lodash", {PackageType.NPM}, "==4.17.20"),
        ("pkg:pypi/requests", "requests", {PackageType.PYTHON}, ""),
        ("pkg:golang/github.com/a/b@v1.2.3", "github.com/a/b",
         {PackageType.GOLANG, PackageType.GO_STDLIB}, "==v1.2.3"),
        ("go:github.com/a/b>=v1.0.0", "github.com/a/b",
         {PackageType.GOLANG, PackageType.GO_STDLIB}, ">=v1.0.0"),
        ("bash", "bash", None, ""),
        ("maven:com.fasterxml:jackson-databind<2.15", "jackson-databind", {PackageType.JAVA},
         "<2.15"),
    ],
)  # fmt: skip
def test_parse(text: str, name: str, types: set[PackageType] | None, constraint: str) -> None:
    query = parse_query(text)
    assert query.name == name
    assert (set(query.types) if query.types else None) == types
    assert query.constraint == constraint


@pytest.mark.parametrize(
    "text", ["", "nope:x<1", "<1.0", "pkg:", "pypi:requests<<", "pypi:requests<1,,>=x y"]
)
def test_bad_specs_are_usage_errors(text: str) -> None:
    with pytest.raises(UsageError):
        parse_query(text)


VERSIONS = ["0.9", "1.0", "1.0.post1", "1.1rc1", "1.1", "2.0.0", "2.19.1", "2.31.0", "10.0"]
SPECS = ["<2.31", "<=1.1", ">1.0", ">=1.0,<2", "!=1.1", "==2.19.1", ">=1.0,!=2.0.0,<10"]


OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
       "==": operator.eq, "!=": operator.ne}  # fmt: skip


def _ordering_oracle(spec: str, version: str) -> bool:
    """Ranges are version-order intervals (as OSV ranges): `packaging`'s ordering decides."""
    for clause in spec.split(","):
        op = next(o for o in sorted(OPS, key=len, reverse=True) if clause.startswith(o))
        if not OPS[op](Version(version), Version(clause[len(op) :])):
            return False
    return True


@pytest.mark.parametrize("spec", SPECS)
def test_pep440_ranges_agree_with_packaging_ordering(spec: str) -> None:
    query = parse_query(f"pypi:pkg{spec}")
    for version in VERSIONS:
        assert query.selects("python", version) == _ordering_oracle(spec, version), version


@pytest.mark.parametrize("spec", ["<2.31", ">=1.0,<2", "!=1.1", "==2.19.1"])
def test_plain_releases_agree_with_specifier_sets(spec: str) -> None:
    """Where PEP 440's specifier special cases (post/pre-releases) do not apply."""
    query = parse_query(f"pypi:pkg{spec}")
    for version in ["0.9", "1.0", "1.1", "2.0.0", "2.19.1", "2.31.0", "10.0"]:
        assert query.selects("python", version) == (Version(version) in SpecifierSet(spec))


def _dpkg(a: str, op: str, b: str) -> bool:
    return subprocess.run(["dpkg", "--compare-versions", a, op, b], check=False).returncode == 0


@pytest.mark.parametrize("bound", ["3.0.7", "3.0.11-1~deb12u2", "1:2.0", "3.0.7-1"])
def test_dpkg_ranges_agree_with_dpkg(bound: str) -> None:
    query = parse_query(f"deb:openssl<{bound}")
    for version in ["3.0.2-0ubuntu1", "3.0.7", "3.0.7-1", "3.0.11-1~deb12u2", "3.0.11-1", "1:1.0"]:
        assert query.selects("deb", version) == _dpkg(version, "lt", bound), (version, bound)


def test_untyped_query_applies_each_ecosystem_scheme() -> None:
    query = parse_query("openssl<3.0.7")
    assert query.selects("deb", "3.0.2-0ubuntu1")
    assert query.selects("apk", "1.1.1t-r0")
    assert not query.selects("rpm", "3.0.7-1.el9")
    assert not query.selects("deb", "3.0.11-1~deb12u2")


def test_typed_query_ignores_other_ecosystems() -> None:
    query = parse_query("pypi:requests<2.31")
    assert not query.selects("npm", "1.0.0")
    assert query.selects("python", "2.19.1")
