"""dpkg comparator: hand cases, parse errors, and ``dpkg --compare-versions`` on apt-cache data."""

from __future__ import annotations

import itertools
import random
from functools import cmp_to_key

import pytest

from hullguard.versions import InvalidVersion, dpkg

CASES = [
    ("1.0", "1.0", 0),
    ("1.0~rc1", "1.0", -1),
    ("1.0~~", "1.0~", -1),
    ("1.0~", "1.0", -1),
    ("1.0", "1.0a", -1),
    ("1.0a", "1.0+", -1),
    ("1.0", "1.0.0", -1),
    ("1.0-1", "1.0", 1),
    ("1.0-0", "1.0", 0),
    ("1.2", "1.2-0~exp1", 1),
    ("1:0.9", "2.0", 1),
    ("0:1.0", "1.0", 0),
    ("1.01", "1.1", 0),
    ("2.10", "2.9", 1),
    ("1.0-1ubuntu1", "1.0-1", 1),
    ("2.36-9+deb12u4", "2.36-9+deb12u10", -1),
    ("7.88.1-10+deb12u5", "7.88.1-10+deb12u12", -1),
    ("1:2.38.1-5+deb12u3", "1:2.38.1-5+b1", 1),
]


@pytest.mark.parametrize(("a", "b", "expected"), CASES)
def test_hand_cases(a: str, b: str, expected: int) -> None:
    assert dpkg.COMPARATOR.compare(a, b) == expected
    assert dpkg.COMPARATOR.compare(b, a) == -expected


@pytest.mark.parametrize(
    "bad", ["", " ", "a1.0", "1.0-", ":1.0", "x:1.0", "1:", "1.0 1", "1.0_1", "1.0-a_b", "-1:1.0"]
)
def test_rejects_what_dpkg_rejects_or_warns_about(bad: str) -> None:
    with pytest.raises(InvalidVersion):
        dpkg.parse(bad)


def test_differential_against_dpkg(apt_versions: list[str], dpkg_oracle) -> None:
    """Sorted-neighbour pairs and random pairs of real apt versions agree with dpkg."""
    rng = random.Random(4)
    sample = rng.sample(apt_versions, 1400)
    ordered = sorted(sample, key=cmp_to_key(dpkg.COMPARATOR.compare))
    pairs = list(itertools.pairwise(ordered))
    pairs += [(rng.choice(apt_versions), rng.choice(apt_versions)) for _ in range(800)]
    pairs += [(a, b) for a, b, _ in CASES]
    expected = dpkg_oracle(pairs)
    ours = [dpkg.COMPARATOR.compare(a, b) for a, b in pairs]
    wrong = [(p, o, e) for p, o, e in zip(pairs, ours, expected, strict=True) if o != e]
    assert not wrong, wrong[:20]
    # neighbours sorted by our key are never out of order for dpkg
    assert all(e <= 0 for e in expected[: len(ordered) - 1])


def test_every_apt_version_parses(apt_versions: list[str]) -> None:
    assert all(dpkg.parse(v) for v in apt_versions)
