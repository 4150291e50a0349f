"""VersionRange (intervals): allows, union, intersect, normalization; registry lookups."""

from __future__ import annotations

import pytest

from hullguard.versions import (
    COMPARATORS,
    Bound,
    Comparator,
    Interval,
    SchemeMismatch,
    VersionRange,
    VersionScheme,
    comparator_for_ecosystem,
    comparator_for_purl_type,
    scheme_for_ecosystem,
    scheme_for_purl_type,
)

PEP = VersionScheme.PEP440
DPKG = VersionScheme.DPKG


def test_between_and_allows() -> None:
    rng = VersionRange.between(PEP, "1.0", "2.0")
    assert rng.allows("1.0") and rng.allows("1.9.9") and not rng.allows("2.0")
    assert not rng.allows("1.0rc1")
    closed = VersionRange.between(PEP, "1.0", "2.0", lower_inclusive=False, upper_inclusive=True)
    assert not closed.allows("1.0") and closed.allows("2.0")


def test_union_merges_overlapping_and_touching_intervals() -> None:
    a = VersionRange.between(PEP, "1.0", "2.0")
    b = VersionRange.between(PEP, "2.0", "3.0")
    c = VersionRange.between(PEP, "5.0", None)
    merged = a.union(c).union(b)
    assert str(merged) == ">=1.0, <3.0 || >=5.0"
    assert merged.allows("2.0") and not merged.allows("4.0") and merged.allows("99")


def test_intersect() -> None:
    a = VersionRange.between(PEP, "1.0", "3.0")
    b = VersionRange.between(PEP, "2.0", None).union(VersionRange.between(PEP, None, "1.5"))
    both = a.intersect(b)
    assert str(both) == ">=1.0, <1.5 || >=2.0, <3.0"
    assert a.intersect(VersionRange.between(PEP, "3.0", "4.0")).is_empty()
    assert VersionRange.exact(PEP, "1.0").intersect(a).allows("1.0.0")


def test_equal_versions_in_a_scheme_are_one_point() -> None:
    rng = VersionRange.exact(DPKG, "1:1.0-1").union(VersionRange.exact(DPKG, "1:1.00-1"))
    assert len(rng.intervals) == 1
    assert rng.allows("1:1.0-1") and not rng.allows("1.0-1")


def test_any_and_empty() -> None:
    assert VersionRange.any(DPKG).allows("0.1") and VersionRange.empty(DPKG).is_empty()
    assert VersionRange.any(DPKG).intersect(VersionRange.empty(DPKG)).is_empty()
    empty = VersionRange.of(DPKG, [Interval(Bound("2.0", True), Bound("1.0", True))])
    assert empty.is_empty()


def test_mixing_schemes_is_an_error() -> None:
    with pytest.raises(SchemeMismatch):
        VersionRange.any(DPKG).union(VersionRange.any(PEP))


def test_registry_covers_every_scheme() -> None:
    assert set(COMPARATORS) == set(VersionScheme)
    for scheme, comparator in COMPARATORS.items():
        assert isinstance(comparator, Comparator) and comparator.scheme is scheme


@pytest.mark.parametrize(
    ("ecosystem", "scheme"),
    [
        ("PyPI", VersionScheme.PEP440),
        ("npm", VersionScheme.NPM),
        ("Go", VersionScheme.GOLANG),
        ("Maven", VersionScheme.MAVEN),
        ("crates.io", VersionScheme.SEMVER),
        ("RubyGems", VersionScheme.RUBYGEMS),
        ("NuGet", VersionScheme.NUGET),
        ("Packagist", VersionScheme.COMPOSER),
        ("Debian:12", VersionScheme.DPKG),
        ("Ubuntu:22.04:LTS", VersionScheme.DPKG),
        ("Alpine:v3.19", VersionScheme.APK),
        ("Rocky Linux:9", VersionScheme.RPM),
        ("AlmaLinux:8", VersionScheme.RPM),
        ("Red Hat:enterprise_linux:9::appstream", VersionScheme.RPM),
        ("SomethingNew", VersionScheme.GENERIC),
    ],
)
def test_osv_ecosystems(ecosystem: str, scheme: VersionScheme) -> None:
    assert scheme_for_ecosystem(ecosystem) is scheme
    assert comparator_for_ecosystem(ecosystem).scheme is scheme


@pytest.mark.parametrize(
    ("purl_type", "scheme"),
    [
        ("deb", DPKG),
        ("rpm", VersionScheme.RPM),
        ("apk", VersionScheme.APK),
        ("pypi", PEP),
        ("gem", VersionScheme.RUBYGEMS),
        ("cargo", VersionScheme.SEMVER),
        ("unknown", VersionScheme.GENERIC),
    ],
)
def test_purl_types(purl_type: str, scheme: VersionScheme) -> None:
    assert scheme_for_purl_type(purl_type) is scheme
    assert comparator_for_purl_type(purl_type).scheme is scheme
