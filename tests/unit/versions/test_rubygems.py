"""RubyGems comparator against Ruby's own ``Gem::Version``."""

from __future__ import annotations

import itertools
import random
import re
from functools import cmp_to_key
from pathlib import Path

import pytest

from hullguard.versions import InvalidVersion, rubygems

TRICKY = [
    "1",
    "1.0",
    "1.0.0",
    "1.0.a",
    "1.0.a1",
    "1.0.b1",
    "1.0.rc1",
    "1.0.0.pre",
    "1.0.0.pre1",
    "1.0.0-rc1",
    "1.0.0-1",
    "1-1",
    "1.a",
    "1.a.0",
    "1.a.0.b",
    "1.a.b",
    "1.0.A",
    "1.0.Z",
    "0.9",
    "0.10",
    "2.0.0.beta.2",
    "2.0.0.beta.10",
    "2.0.0.beta10",
    "6.1.7.3",
    "7.0.0.alpha2",
    "1.0.0.0.0.1",
    "1.0-",
    "1..0",
    ".1",
    "1.0 beta",
    "1.0.0.dev",
    "3.2.22.5",
    "1.0.0-x.y",
    "10.0",
    "9.9.9",
    "1.0.0.a.1",
    "1.0.0.a1.1",
    "1.0.0.0",
    "0.0.0",
    "0",
    "00.1",
    "1.01",
]


def _gemfile_versions(fixtures: Path) -> set[str]:
    found: set[str] = set()
    pattern = re.compile(r"\(([0-9][^)\s,]*)\)")
    for path in (fixtures / "syft" / "syft" / "pkg" / "cataloger" / "ruby").rglob("*"):
        if path.is_file():
            found |= set(pattern.findall(path.read_text(errors="replace")))
    return found


def _valid(version: str) -> bool:
    try:
        rubygems.parse(version)
    except InvalidVersion:
        return False
    return True


def test_differential_against_gem_version(
    ruby_gem_version, apt_versions: list[str], pypi_osv: list[dict], fixtures_dir: Path
) -> None:
    rng = random.Random(12)
    pypi = sorted(
        {v for r in pypi_osv for a in r.get("affected", []) for v in a.get("versions", [])}
    )
    pool = set(TRICKY) | _gemfile_versions(fixtures_dir) | set(rng.sample(pypi, 1500))
    pool |= set(rng.sample(apt_versions, 500))
    pool = sorted(v for v in pool if v.strip())
    valid = [v for v in pool if _valid(v)]
    ordered = sorted(valid, key=cmp_to_key(rubygems.COMPARATOR.compare))
    pairs = [(v, v) for v in pool]  # validity of everything
    pairs += list(itertools.pairwise(ordered))
    pairs += [(rng.choice(valid), rng.choice(valid)) for _ in range(3000)]
    pairs += [(a, b) for a in TRICKY for b in TRICKY if _valid(a) and _valid(b)]
    wrong = []
    for (a, b), (ok_a, ok_b, expected) in zip(pairs, ruby_gem_version(pairs), strict=True):
        if (_valid(a), _valid(b)) != (ok_a, ok_b):
            wrong.append(("validity", a, b, ok_a, ok_b))
        elif ok_a and ok_b and rubygems.COMPARATOR.compare(a, b) != expected:
            wrong.append(("order", a, b, rubygems.COMPARATOR.compare(a, b), expected))
    assert not wrong, wrong[:20]
    assert len(pairs) > 5000


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("1.0.a", "1.0", -1),
        ("1.0.0-rc1", "1.0.0", -1),
        ("1.a.0.b", "1.a", -1),
        ("1.0", "1.0.0.0", 0),
        ("2.0.0.beta.10", "2.0.0.beta.2", 1),
    ],
)
def test_hand_cases(a: str, b: str, expected: int) -> None:
    assert rubygems.COMPARATOR.compare(a, b) == expected
