"""Go module versions against golang.org/x/mod/semver and the Go vulnerability database."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from hullguard.versions import InvalidVersion, golang
from hullguard.versions.osv import osv_affected

PSEUDO = [
    # (lower, higher): pseudo-versions order by commit time and sit below the next release
    ("v0.0.0-20191109021931-daa7c04131f5", "v0.0.0-20200101000000-aaaaaaaaaaaa"),
    ("v0.0.0-20191109021931-daa7c04131f5", "v0.0.1"),
    ("v1.2.3", "v1.2.4-0.20191109021931-daa7c04131f5"),
    ("v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.4"),
    ("v1.2.4-pre", "v1.2.4-pre.0.20191109021931-daa7c04131f5"),
    ("v1.2.4-pre.0.20191109021931-daa7c04131f5", "v1.2.4"),
    ("v2.0.0+incompatible", "v2.0.1+incompatible"),
    ("v1.9.9", "v2.0.0+incompatible"),
]
EXTRA = [
    "v1",
    "v1.2",
    "v1.2.0",
    "v1.0.0",
    "v0.0.0",
    "v1.2.3-pre",
    "v1.2.3-pre.1",
    "v1.2.3-pre.10",
    "v1.2.3-0",
    "v1.2.3+meta",
    "v2.0.0+incompatible",
    "v1.02.3",
    "v1.2.3-01",
    "1.2.3",
    "v1.2.3.4",
    "v",
    "v1.",
    "v1.2.3-",
    "v1.2.3+",
    "v1.2-pre",
    "v01.2.3",
    "v1.2.3-a..b",
]


def _go_osv_versions(vulndata: Path) -> tuple[list[dict], set[str]]:
    entries: list[dict] = []
    versions: set[str] = set()
    for path in sorted((vulndata / "osv" / "go" / "data" / "osv").glob("GO-*.json")):
        record = json.loads(path.read_text())
        for affected in record.get("affected", []):
            entries.append(affected)
            for rng in affected.get("ranges", []):
                for event in rng["events"]:
                    versions.update(v for v in event.values() if v != "0")
    return entries, versions


def test_differential_against_x_mod_semver(go_semver, vulndata_dir: Path) -> None:
    rng = random.Random(9)
    _, osv_versions = _go_osv_versions(vulndata_dir)
    assert len(osv_versions) > 2000
    pool = sorted({"v" + v for v in osv_versions} | set(EXTRA) | {v for p in PSEUDO for v in p})
    pairs = [(rng.choice(pool), rng.choice(pool)) for _ in range(6000)]
    pairs += [(a, b) for a in EXTRA for b in EXTRA] + PSEUDO
    wrong = []
    for (a, b), (valid_a, valid_b, expected) in zip(pairs, go_semver(pairs), strict=True):
        ours_valid = (_valid(a), _valid(b))
        if ours_valid != (valid_a, valid_b):
            wrong.append(("validity", a, b, ours_valid, (valid_a, valid_b)))
        elif valid_a and valid_b and golang.COMPARATOR.compare(a, b) != expected:
            wrong.append(("order", a, b, golang.COMPARATOR.compare(a, b), expected))
    assert not wrong, wrong[:20]


def _valid(version: str) -> bool:
    if not version.startswith("v"):
        return False  # x/mod/semver requires the v; OSV spells it without
    try:
        golang.parse(version)
    except InvalidVersion:
        return False
    return True


def test_go_vulndb_ranges_are_consistently_ordered(vulndata_dir: Path) -> None:
    """Every SEMVER range in the Go vulndb lists its events in increasing order."""
    entries, _ = _go_osv_versions(vulndata_dir)
    checked = 0
    for affected in entries:
        for rng in affected.get("ranges", []):
            assert rng["type"] == "SEMVER"
            versions = [v for e in rng["events"] for v in e.values() if v != "0"]
            keys = [golang.parse(v) for v in versions]
            assert keys == sorted(keys) and len(set(keys)) == len(keys), versions
            checked += 1
    assert checked > 4000


def test_go_vulndb_range_bounds_evaluate_as_documented(vulndata_dir: Path) -> None:
    """introduced versions are affected, fixed versions are not (both v-spellings)."""
    entries, _ = _go_osv_versions(vulndata_dir)
    for affected in entries[:1500]:
        for rng in affected.get("ranges", []):
            for event in rng["events"]:
                for kind, version in event.items():
                    if version == "0":
                        continue
                    entry = {"ranges": [rng]}
                    expected = kind == "introduced"
                    assert osv_affected(entry, version, golang.COMPARATOR.scheme) is expected
                    assert osv_affected(entry, "v" + version, golang.COMPARATOR.scheme) is expected


@pytest.mark.parametrize(("lower", "higher"), PSEUDO)
def test_pseudo_versions(lower: str, higher: str) -> None:
    assert golang.COMPARATOR.compare(lower, higher) == -1


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("go1.21.3", "1.21.3"),
        ("go1.22rc1", "1.22.0-rc.1"),
        ("go1.20", "1.20.0"),
        ("go1.9beta2", "1.9.0-beta.2"),
    ],
)
def test_toolchain_names(name: str, expected: str) -> None:
    assert golang.go_toolchain_to_semver(name) == expected
