"""Maven comparator against Maven's own ``ComparableVersion`` (the Maven install)."""

from __future__ import annotations

import itertools
import random
import re
from functools import cmp_to_key
from pathlib import Path

import pytest

from hullguard.versions import InvalidVersion, maven

TRICKY = [
    "1",
    "1.0",
    "1.0.0",
    "1.0.0.0",
    "1-0",
    "1.0-0",
    "1-SNAPSHOT",
    "1.0-SNAPSHOT",
    "1.0-alpha1",
    "1.0-alpha-1",
    "1.0a1",
    "1.0-a1",
    "1.0-b1",
    "1.0-beta-2",
    "1.0-m1",
    "1.0-milestone-1",
    "1.0-rc1",
    "1.0-RC1",
    "1.0-cr1",
    "1.0-CR2",
    "1.0.RELEASE",
    "1.0-release",
    "1.0.Final",
    "1.0.0.Final",
    "1.0.0.GA",
    "1.0-ga",
    "1.0-final",
    "1.0-sp",
    "1.0-sp1",
    "1.0.sp1",
    "1.0-SP2",
    "1.0-foo",
    "1.0.foo",
    "1.0-foo1",
    "1.0-bar",
    "1.0-1",
    "1.0.1",
    "1.0-2",
    "1.1",
    "1.1-alpha",
    "1.0.0.RC1",
    "1.0.0.M1",
    "1.0.0.CR1",
    "1.0.0-jre",
    "31.1-jre",
    "31.1-android",
    "2.0.0-M1",
    "3.0.0-beta1",
    "1.2.3.4.5",
    "1.2.3-4-5",
    "1..1",
    "1.-1",
    "1-.1",
    "0",
    "0.0",
    "0.0.1",
    "00.1",
    "1.00",
    "1.010",
    "1.10",
    "1.9",
    "2.0.0.v20200101",
    "2.0.0.20200101",
    "1.0.0-20200101.123456-1",
    "1.0.0-SNAPSHOT-1",
    "9999999999",
    "10000000000",
    "1234567890123456789",
    "12345678901234567890",
    "1.0-xyz-1",
    "1.0xyz",
    "1x",
    "1.0.0-alpha.beta",
    "1.0.0-0.3.7",
    "1.0.0-x.7.z.92",
    "5.3.20",
    "5.3.20.RELEASE",
    "4.13.2",
    "4.13-beta-3",
    "2.17.1",
    "2.0-beta9",
    "1.2.17",
    "9.4.51.v20230217",
    "11.0.15",
    "1.0-a",
    "1.0-b",
    "1.0-m",
    "1.0.a",
    "1.0a",
    "a",
    "alpha",
    "1-a1-b2",
]


def _versions_from_maven_repo() -> list[str]:
    root = Path("/usr/share/maven-repo")
    found = {p.name for p in root.glob("*/*/*") if p.is_dir()} if root.is_dir() else set()
    found |= {p.name for p in root.glob("*/*/*/*") if p.is_dir() and p.name[:1].isdigit()}
    return sorted(found)


def _versions_from_fixtures(fixtures: Path) -> list[str]:
    pattern = re.compile(r"^\s*(?:version|Implementation-Version|Bundle-Version)\s*[=:]\s*(\S+)")
    found: set[str] = set()
    for path in (fixtures / "syft" / "syft" / "pkg" / "cataloger" / "java").rglob("*"):
        if path.is_file() and path.stat().st_size < 200_000:
            for line in path.read_text(errors="replace").splitlines():
                m = pattern.match(line)
                if m and m.group(1).isascii():
                    found.add(m.group(1))
    return sorted(found)


def _parses(version: str) -> bool:
    try:
        maven.parse(version)
    except InvalidVersion:
        return False
    return True


def test_differential_against_comparable_version(
    maven_oracle, apt_versions: list[str], fixtures_dir: Path
) -> None:
    rng = random.Random(11)
    pool = TRICKY + _versions_from_maven_repo() + _versions_from_fixtures(fixtures_dir)
    pool += rng.sample(apt_versions, 1200)
    pool = sorted({v for v in pool if _parses(v)})
    ordered = sorted(pool, key=cmp_to_key(maven.compare))
    pairs = list(itertools.pairwise(ordered))
    pairs += [(a, b) for a in TRICKY for b in TRICKY if a != b and rng.random() < 0.35]
    pairs += [(rng.choice(pool), rng.choice(pool)) for _ in range(800)]
    expected = maven_oracle(pairs)
    ours = [maven.compare(a, b) for a, b in pairs]
    wrong = [(p, o, e) for p, o, e in zip(pairs, ours, expected, strict=True) if o != e]
    assert not wrong, wrong[:20]
    assert len(pairs) > 3000


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("1.0-alpha1", "1.0", -1),
        ("1.0.RELEASE", "1.0", 0),
        ("1-SNAPSHOT", "1", -1),
        ("1.0.0.Final", "1", 0),
        ("1.0-sp1", "1.0", 1),
        ("1.0-rc1", "1.0-cr1", 0),
        ("1.0a1", "1.0-alpha-1", 0),
        ("1.0-foo", "1.0-sp", 1),
        ("1.0.1", "1.0-1", 1),
    ],
)
def test_hand_cases(a: str, b: str, expected: int) -> None:
    assert maven.compare(a, b) == expected
    assert (maven.parse(a) < maven.parse(b)) == (expected < 0)
    assert (maven.parse(a) == maven.parse(b)) == (expected == 0)


@pytest.mark.parametrize("bad", ["", "1.0 beta", "1.0\t", "1.0-é"])
def test_rejects_malformed(bad: str) -> None:
    with pytest.raises(InvalidVersion):
        maven.parse(bad)
