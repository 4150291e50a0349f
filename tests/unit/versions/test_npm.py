"""npm versions and ranges against the real ``semver`` npm package (node-semver)."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from hullguard.versions import InvalidVersion, NpmRange
from hullguard.versions.semver import NPM_COMPARATOR, parse_npm

TRICKY_RANGES = [
    "",
    "*",
    "x",
    "X",
    "1",
    "1.x",
    "1.2.x",
    "1.2.*",
    "1.x.x",
    ">1",
    ">1.2",
    "<1.2",
    "<=1.2",
    ">=1",
    "=1.2",
    "~1",
    "~1.2",
    "~1.2.3",
    "~1.2.3-beta.2",
    "~>1.2",
    "~ 1.2",
    "^1",
    "^1.2",
    "^1.2.3",
    "^0.2.3",
    "^0.0.3",
    "^0.0",
    "^0.x",
    "^1.2.3-beta.4",
    "^0.0.1-rc.1",
    "^ 1.2",
    "1.2.3 - 2.3.4",
    "1.2 - 2.3.4",
    "1.2.3 - 2.3",
    "1.2.3 - 2",
    "1.2.3-rc.1 - 2.0.0-rc.2",
    "1.x - 2.x",
    "* - 2",
    ">=1.2.3 <2.0.0",
    "> 1.2.3 < 2",
    ">= 1.2.3 || <= 0.5",
    "1.2.3 || 2.x",
    "<1.0.0-0",
    "<0.0.0-0",
    ">=0.0.0",
    ">=0.0.0-0",
    "<0.0.0",
    ">*",
    "<*",
    ">=*",
    "1.2.3+build",
    ">=1.2.3+build <2",
    "v1.2.3",
    "=v1.2.3",
    "==1.2.3",
    "1.2.3 foo",
    "foo",
    ">=a.b.c",
    "1.2.3.4",
    "01.2.3",
    "1.02.3",
    ">=1.2.3-01",
    "^1.2.3 || ^2.0.0-alpha",
    "~0.0.1",
    "~v1.2.3",
    "^v1.2",
    ">=1.2.3-alpha.1 <1.2.3",
    "1.2.3 - 1.2.3",
    "x.1",
    "1.x.2",
    "*.1.x",
    ">=1.0.0 <1.0.0",
    "  >=1.0.0   <2.0.0  ",
    "||",
    "1.0.0 ||",
    "|| 2.0.0",
    ">= 1.0.0 <= 2.0.0 != 1.5.0",
    "<=1.2.3-beta || >1.2.3",
    ">1.2.3-alpha <1.2.4-alpha",
    "1.2.3-x.7.z.92",
    "^1.2.3+build",
]
EXTRA_VERSIONS = [
    "0.0.0",
    "0.0.1",
    "0.0.1-rc.1",
    "0.2.3",
    "0.2.4",
    "0.3.0-0",
    "1.0.0-0",
    "1.0.0-alpha",
    "1.0.0",
    "1.2.2",
    "1.2.3-alpha.1",
    "1.2.3-beta.2",
    "1.2.3-beta.4",
    "1.2.3",
    "1.2.3+build",
    "1.2.4-alpha",
    "1.2.4",
    "1.3.0",
    "1.5.0",
    "2.0.0-alpha",
    "2.0.0-rc.2",
    "2.0.0",
    "2.3.4",
    "2.3.5",
    "3.0.0-0",
    "3.0.0",
    "v1.2.3",
    " 1.2.3 ",
    "=1.2.3",
    "1.2",
    "01.2.3",
    "1.2.3-01",
    "1.2.3-x.7.z.92",
    "9007199254740991.0.0",
    "99999999999999999999.0.0",
]
_VERSION_IN_RANGE = re.compile(r"v?(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?")


def _advisory_ranges(vulndata: Path) -> list[str]:
    ranges: set[str] = set()
    for path in (vulndata / "npm" / "nodejs-security-wg" / "vuln" / "npm").glob("*.json"):
        record = json.loads(path.read_text())
        for field in ("vulnerable_versions", "patched_versions"):
            if isinstance(record.get(field), str):
                ranges.add(record[field])
    return sorted(ranges)


def _versions_near(text: str) -> set[str]:
    out: set[str] = set()
    for m in _VERSION_IN_RANGE.finditer(text):
        major, minor, patch = int(m[1]), int(m[2]), int(m[3])
        out.add(f"{major}.{minor}.{patch}{m[4] or ''}")
        for v in (
            (major, minor, patch + 1),
            (major, minor, max(patch - 1, 0)),
            (major, minor + 1, 0),
            (major + 1, 0, 0),
        ):
            out.add("{}.{}.{}".format(*v))
        out.add(f"{major}.{minor}.{patch}-beta.1")
    return out


def _ours(range_text: str, version: str) -> tuple[bool, bool, bool]:
    try:
        rng = NpmRange.parse(range_text)
    except InvalidVersion:
        return (False, True, False)
    try:
        return (True, True, rng.allows(version))
    except InvalidVersion:
        return (True, False, False)


def test_differential_against_node_semver(node_semver, vulndata_dir: Path) -> None:
    rng = random.Random(3)
    ranges = _advisory_ranges(vulndata_dir)
    assert len(ranges) > 300
    ranges += TRICKY_RANGES
    versions: set[str] = set(EXTRA_VERSIONS)
    for text in ranges:
        versions |= _versions_near(text)
    pool = sorted(versions)
    checks = []
    for text in ranges:
        local = sorted(_versions_near(text)) + rng.sample(pool, 25) + EXTRA_VERSIONS
        checks += [(text, v) for v in local]
    result = node_semver({"ranges": ranges, "versions": pool, "checks": checks, "pairs": []})
    valid_version = dict(zip(pool, result["versions"], strict=True))
    valid_range = dict(zip(ranges, result["ranges"], strict=True))
    wrong = []
    for (text, version), satisfied in zip(checks, result["satisfies"], strict=True):
        ok_range, ok_version, ours = _ours(text, version)
        expected = (valid_range[text], valid_version[version] or not ok_range, satisfied)
        if (ok_range and not valid_range[text]) or (not ok_range and valid_range[text]):
            wrong.append(("range validity", text, ok_range, valid_range[text]))
        elif ok_range and (ok_version, ours) != (valid_version[version], satisfied):
            wrong.append(("satisfies", text, version, (ok_version, ours), expected))
    assert not wrong, wrong[:20]
    assert len(checks) > 20000


def test_version_order_matches_node_semver(node_semver, vulndata_dir: Path) -> None:
    rng = random.Random(5)
    versions: set[str] = set(EXTRA_VERSIONS)
    for text in _advisory_ranges(vulndata_dir):
        versions |= _versions_near(text)
    pool = []
    for v in sorted(versions):
        try:
            parse_npm(v)
            pool.append(v)
        except InvalidVersion:
            pass
    pairs = [(rng.choice(pool), rng.choice(pool)) for _ in range(5000)]
    result = node_semver({"ranges": [], "versions": [], "checks": [], "pairs": pairs})
    ours = [NPM_COMPARATOR.compare(a, b) for a, b in pairs]
    assert ours == result["compare"]


@pytest.mark.parametrize(
    ("range_text", "version", "expected"),
    [
        ("^1.2.3", "1.9.9", True),
        ("^1.2.3", "2.0.0", False),
        ("^1.2.3", "1.3.0-beta.1", False),  # pre-release of another x.y.z
        ("^1.2.3-beta.1", "1.2.3-beta.2", True),
        ("~1.2", "1.2.9", True),
        ("~1.2", "1.3.0", False),
        ("1.2.3 - 2.3", "2.3.9", True),
        ("<=1.2.3 || >=2.0.0 <2.1.0", "2.0.5", True),
        ("*", "1.0.0-rc.1", False),
    ],
)
def test_hand_cases(range_text: str, version: str, expected: bool) -> None:
    assert NpmRange.parse(range_text).allows(version) is expected


def test_invalid_range_raises() -> None:
    with pytest.raises(InvalidVersion):
        NpmRange.parse(">=a.b.c")
