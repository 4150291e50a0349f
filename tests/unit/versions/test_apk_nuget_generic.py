"""apk, NuGet and generic comparators (no reference binary on Debian: rule-derived cases)."""

from __future__ import annotations

import itertools
from functools import cmp_to_key

import pytest

from hullguard.versions import InvalidVersion, apk, generic, nuget

# Orderings that follow from apk-tools' version.c rules (and agree with its test table).
APK_CASES = [
    ("1.0", "1.0", 0),
    ("1.0_alpha", "1.0", -1),
    ("1.0_alpha", "1.0_beta", -1),
    ("1.0_beta", "1.0_pre", -1),
    ("1.0_pre", "1.0_rc", -1),
    ("1.0_rc1", "1.0", -1),
    ("1.0", "1.0_cvs", -1),
    ("1.0_cvs", "1.0_svn", -1),
    ("1.0_git", "1.0_hg", -1),
    ("1.0_hg", "1.0_p1", -1),
    ("1.0_p9", "1.0_p10", -1),
    ("1.0", "1.0-r1", -1),
    ("1.0-r1", "1.0-r10", -1),
    ("1.0-r9", "1.0.1", -1),
    ("1.0", "1.0a", -1),
    ("1.0a", "1.0b", -1),
    ("1.0z", "1.0.1", -1),
    ("1.2", "1.10", -1),
    ("1.02", "1.1", -1),  # leading zero: string comparison
    ("1.001", "1.01", -1),  # "001" < "01" bytewise
    ("0.1.0_alpha_pre2", "0.1.0_alpha", -1),
    ("1.0.0_pre20191002222144-r0", "1.0.0_pre20210530193627-r0", -1),
    ("2.5.1a-r1", "2.5.1-r8", 1),
    ("006", "1.06-r6", 1),
    ("1.0~abc123", "1.0", 1),
    ("1.0~abc123-r1", "1.0~abc123-r2", -1),
    ("6.0_p1", "6.0", 1),
    ("3.1.4-r5", "3.1.4_git20200101-r0", -1),
]


@pytest.mark.parametrize(("a", "b", "expected"), APK_CASES)
def test_apk_order(a: str, b: str, expected: int) -> None:
    assert apk.COMPARATOR.compare(a, b) == expected
    assert apk.COMPARATOR.compare(b, a) == -expected


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "a1",
        "1.",
        "1.0-",
        "1.0-r",
        "1.0-1",
        "1.0_foo",
        "1.0ab",
        "1.0a1",
        "1.0-r1.2",
        "1.0~",
        "1.0~xyz",
        "1_0",
        "1.0 ",
    ],
)
def test_apk_rejects_invalid(bad: str) -> None:
    with pytest.raises(InvalidVersion):
        apk.parse(bad)


def test_apk_sort_is_consistent() -> None:
    versions = sorted(
        {v for a, b, _ in APK_CASES for v in (a, b)}, key=cmp_to_key(apk.COMPARATOR.compare)
    )
    for lower, higher in itertools.pairwise(versions):
        assert apk.COMPARATOR.compare(lower, higher) <= 0


NUGET_CASES = [
    ("1.0", "1.0.0.0", 0),
    ("1.0.0", "1.0.0.1", -1),
    ("1.0.0-alpha", "1.0.0", -1),
    ("1.0.0-alpha", "1.0.0-ALPHA", 0),  # labels compare case-insensitively
    ("1.0.0-alpha.2", "1.0.0-alpha.10", -1),
    ("1.0.0-alpha.1", "1.0.0-alpha.beta", -1),  # numbers before words
    ("1.0.0-alpha", "1.0.0-alpha.1", -1),
    ("1.0.0-rc.1", "1.0.0-beta.11", 1),
    ("1.0.0+build1", "1.0.0+build2", 0),  # metadata ignored
    ("2.0.0", "10.0.0", -1),
    ("1.01.0", "1.1.0", 0),
]


@pytest.mark.parametrize(("a", "b", "expected"), NUGET_CASES)
def test_nuget_order(a: str, b: str, expected: int) -> None:
    assert nuget.COMPARATOR.compare(a, b) == expected


@pytest.mark.parametrize("bad", ["", "1.0.0.0.0", "a", "1.0-", "1.0.0-al_pha", "99999999999.0"])
def test_nuget_rejects_invalid(bad: str) -> None:
    with pytest.raises(InvalidVersion):
        nuget.parse(bad)


def test_generic_orders_only_dotted_numbers() -> None:
    assert generic.COMPARATOR.compare("1.2", "1.2.0") == 0
    assert generic.COMPARATOR.compare("1.9", "1.10") == -1
    assert generic.COMPARATOR.compare("v2", "1.99") == 1
    for bad in ("1.0-beta", "1.x", "", "abc"):
        with pytest.raises(InvalidVersion):
            generic.parse(bad)
