"""Composer comparator against composer/semver (``VersionParser`` + ``Comparator``) in PHP."""

from __future__ import annotations

import itertools
import json
import random
from functools import cmp_to_key
from pathlib import Path

import pytest

from hullguard.versions import InvalidVersion, composer

TRICKY = [
    "1",
    "1.2",
    "1.2.3",
    "1.2.3.4",
    "v1.2.3",
    "V1.2.3",
    "1.0.0-beta1",
    "1.0.0-beta.1",
    "1.0.0b1",
    "1.0.0-b1",
    "1.0.0-BETA2",
    "1.0.0-alpha",
    "1.0.0-a2",
    "1.0.0-RC1",
    "1.0.0-rc.2",
    "1.0.0RC3",
    "1.0.0-patch1",
    "1.0.0-pl2",
    "1.0.0-p3",
    "1.0.0-stable",
    "1.0.0-dev",
    "1.0.0-beta1-dev",
    "1.0.x-dev",
    "2.1.x-dev",
    "2.x-dev",
    "1.0.0+build.5",
    "20230101",
    "2023-01-01",
    "2023.01.01",
    "2023-01-01-1",
    "1.0.0-beta.1.2",
    "1.0.0.0-alpha1",
    "dev-master",
    "master",
    "dev-feature/x",
    "1.0.0-foo",
    "1.0.0_beta1",
    "1.0.0.beta1",
    "1.0.0@dev",
    "1.0.0@stable",
    "123456.0.0",
    "1.0.0-RC",
    "1.0.0-rc",
    "0.0.0",
    "00.1",
    "1.01.0",
    "1.0.0-beta2.3",
    "1.0.0-pl1.2",
]


def _lock_versions(fixtures: Path) -> set[str]:
    found: set[str] = set()
    root = fixtures / "syft" / "syft" / "pkg" / "cataloger" / "php"
    for path in [*root.rglob("*.json"), *root.rglob("composer.lock")]:
        try:
            found |= _versions_in(json.loads(path.read_text()))
        except ValueError:
            continue  # placeholder files of the glob tests
    return found


def _versions_in(data: object) -> set[str]:
    if isinstance(data, dict):
        out = {data["version"]} if isinstance(data.get("version"), str) else set()
        for value in data.values():
            out |= _versions_in(value)
        return out
    if isinstance(data, list):
        return set().union(*(_versions_in(v) for v in data)) if data else set()
    return set()


def _valid(version: str) -> bool:
    try:
        composer.parse(version)
    except InvalidVersion:
        return False
    return True


def test_differential_against_composer_semver(
    composer_oracle, pypi_osv: list[dict], fixtures_dir: Path
) -> None:
    rng = random.Random(6)
    pypi = sorted(
        {v for r in pypi_osv for a in r.get("affected", []) for v in a.get("versions", [])}
    )
    pool = sorted(set(TRICKY) | _lock_versions(fixtures_dir) | set(rng.sample(pypi, 1500)))
    valid = [v for v in pool if _valid(v)]
    ordered = sorted(valid, key=cmp_to_key(composer.COMPARATOR.compare))
    pairs = [(v, v) for v in pool]
    pairs += list(itertools.pairwise(ordered))
    pairs += [(rng.choice(valid), rng.choice(valid)) for _ in range(2500)]
    pairs += [(a, b) for a in TRICKY for b in TRICKY if _valid(a) and _valid(b)]
    wrong = []
    for (a, b), result in zip(pairs, composer_oracle(pairs), strict=True):
        php_ok = result is not None and not any(n.startswith("dev-") for n in result[:2])
        if php_ok != (_valid(a) and _valid(b)):
            wrong.append(("validity", a, b, result))
        elif php_ok:
            if [composer.normalize(a), composer.normalize(b)] != result[:2]:
                wrong.append(("normalize", a, b, result))
            elif composer.COMPARATOR.compare(a, b) != result[2]:
                wrong.append(("order", a, b, composer.COMPARATOR.compare(a, b), result))
    assert not wrong, wrong[:20]
    assert len(pairs) > 5000


@pytest.mark.parametrize("branch", ["dev-master", "dev-feature/x", "master", "trunk"])
def test_named_branches_are_not_ordered(branch: str) -> None:
    with pytest.raises(InvalidVersion):
        composer.parse(branch)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("1.0.0-dev", "1.0.0-alpha1", -1),
        ("1.0.0-RC1", "1.0.0", -1),
        ("1.0.0", "1.0.0-patch1", -1),
        ("v1.2", "1.2.0.0", 0),
    ],
)
def test_hand_cases(a: str, b: str, expected: int) -> None:
    assert composer.COMPARATOR.compare(a, b) == expected
