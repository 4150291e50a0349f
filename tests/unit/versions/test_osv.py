"""OSV ``affected`` evaluation: the schema's pseudo-code cases and the real PyPI data."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from packaging.version import InvalidVersion as PackagingInvalid
from packaging.version import Version

from hullguard.versions import (
    InvalidVersion,
    VersionScheme,
    is_withdrawn,
    osv_affected,
    osv_range_to_version_range,
)

PEP440 = VersionScheme.PEP440


def eco(*events: dict[str, str], type_: str = "ECOSYSTEM") -> dict:
    return {"ranges": [{"type": type_, "events": list(events)}]}


@pytest.mark.parametrize(
    ("entry", "version", "expected"),
    [
        (eco({"introduced": "0"}), "0.0.1", True),
        (eco({"introduced": "0"}, {"fixed": "1.0.2"}), "1.0.1", True),
        (eco({"introduced": "0"}, {"fixed": "1.0.2"}), "1.0.2", False),
        (eco({"introduced": "0"}, {"fixed": "1.0.2"}), "1.0.2rc1", True),
        (eco({"introduced": "1.0"}, {"fixed": "1.2"}, {"introduced": "3.0"}), "2.0", False),
        (eco({"introduced": "1.0"}, {"fixed": "1.2"}, {"introduced": "3.0"}), "3.5", True),
        (eco({"introduced": "1.0"}, {"fixed": "1.2"}, {"introduced": "3.0"}), "0.9", False),
        (eco({"introduced": "0"}, {"last_affected": "2.1.214"}), "2.1.214", True),
        (eco({"introduced": "0"}, {"last_affected": "2.1.214"}), "2.1.215", False),
        # events are sorted before evaluation
        (eco({"fixed": "1.2"}, {"introduced": "1.0"}), "1.1", True),
        (eco({"fixed": "1.2"}, {"introduced": "1.0"}), "1.2", False),
        # limit: versions at or above every limit are never affected
        (eco({"introduced": "0"}, {"limit": "2.0"}), "1.9", True),
        (eco({"introduced": "0"}, {"limit": "2.0"}), "2.0", False),
        (eco({"introduced": "0"}, {"limit": "*"}), "99", True),
        # the explicit versions list is string equality
        ({"versions": ["1.0"], "ranges": []}, "1.0", True),
        ({"versions": ["1.0"], "ranges": []}, "1.0.0", False),
        # GIT ranges never match a version
        (eco({"introduced": "0"}, type_="GIT"), "1.0", False),
        ({}, "1.0", False),
    ],
)
def test_schema_semantics(entry: dict, version: str, expected: bool) -> None:
    assert osv_affected(entry, version, PEP440) is expected
    if entry.get("ranges") and entry["ranges"][0]["type"] != "GIT" and not entry.get("versions"):
        as_range = osv_range_to_version_range(entry["ranges"][0], PEP440)
        assert as_range.allows(version) is expected


def test_semver_ranges_use_semver_whatever_the_scheme() -> None:
    entry = eco({"introduced": "1.0.0"}, {"fixed": "1.0.10"}, type_="SEMVER")
    assert osv_affected(entry, "1.0.9", VersionScheme.SEMVER)
    assert osv_affected(entry, "v1.0.9", VersionScheme.GOLANG)
    assert osv_affected(entry, "1.0.9", VersionScheme.NPM)
    assert not osv_affected(entry, "1.0.10", VersionScheme.SEMVER)
    with pytest.raises(InvalidVersion):
        osv_affected(entry, "1.0", VersionScheme.SEMVER)


def test_distro_ecosystem_range() -> None:
    entry = eco({"introduced": "0"}, {"fixed": "2.36-9+deb12u3"})
    assert osv_affected(entry, "2.36-9+deb12u2", VersionScheme.DPKG)
    assert not osv_affected(entry, "2.36-9+deb12u10", VersionScheme.DPKG)
    assert osv_affected(eco({"introduced": "0"}, {"fixed": "1.2-r1"}), "1.2-r0", VersionScheme.APK)


def test_unparsable_version_is_an_error_not_a_guess() -> None:
    with pytest.raises(InvalidVersion):
        osv_affected(eco({"introduced": "0"}, {"fixed": "1.0"}), "not-a-version", PEP440)
    with pytest.raises(InvalidVersion):
        osv_affected({"ranges": [{"type": "WHATEVER", "events": []}]}, "1.0", PEP440)


def test_withdrawn_helper() -> None:
    now = datetime(2024, 6, 1, tzinfo=UTC)
    assert is_withdrawn({"withdrawn": "2024-05-01T00:00:00Z"}, now)
    assert not is_withdrawn({"withdrawn": "2024-07-01T00:00:00Z"}, now)
    assert not is_withdrawn({"id": "PYSEC-1"}, now)


def _reference(affected: dict, version: str) -> bool:
    """The OSV pseudo-code written out again with ``packaging``, for PyPI only."""
    if version in affected.get("versions", []):
        return True
    v = Version(version)
    for rng in affected.get("ranges", []):
        if rng["type"] != "ECOSYSTEM":
            continue
        events = [next(iter(e.items())) for e in rng["events"]]
        limits = [val for kind, val in events if kind == "limit"]
        if limits and not any(val == "*" or v < Version(val) for val in limits):
            continue
        ordered = sorted(
            (e for e in events if e[0] != "limit"),
            key=lambda e: (0, Version("0")) if e[1] == "0" else (1, Version(e[1])),
        )
        state = False
        for kind, val in ordered:
            bound = None if val == "0" else Version(val)
            if kind == "introduced" and (bound is None or v >= bound):
                state = True
            elif (kind == "fixed" and (bound is None or v >= bound)) or (
                kind == "last_affected" and (bound is None or v > bound)
            ):
                state = False
        if state:
            return True
    return False


def _outcome(func, *args) -> object:
    try:
        return func(*args)
    except (InvalidVersion, PackagingInvalid):
        return "invalid"


def test_real_pypi_advisories_match_reference(pypi_osv: list[dict]) -> None:
    rng = random.Random(2)
    checked = affected_count = 0
    for record in pypi_osv:
        for affected in record.get("affected", []):
            candidates = set(
                rng.sample(affected.get("versions", []), min(4, len(affected.get("versions", []))))
            )
            for r in affected.get("ranges", []):
                for event in r.get("events", []):
                    for val in event.values():
                        if val not in ("0", "*") and len(val) < 40:
                            candidates |= {val, val + ".post1", val + "rc1"}
            candidates |= {"0.0.1", "99999"}
            for version in sorted(candidates):
                ours = _outcome(osv_affected, affected, version, PEP440)
                assert ours == _outcome(_reference, affected, version), (record["id"], version)
                checked += 1
                affected_count += ours is True
    assert checked > 20000 and affected_count > 5000


def test_range_conversion_agrees_with_evaluation(pypi_osv: list[dict]) -> None:
    rng = random.Random(8)
    compared = 0
    for record in rng.sample(pypi_osv, 600):
        for affected in record.get("affected", []):
            for r in affected.get("ranges", []):
                if r["type"] != "ECOSYSTEM":
                    continue
                try:
                    as_range = osv_range_to_version_range(r, PEP440)
                except InvalidVersion:
                    continue
                probes = {v for e in r["events"] for v in e.values() if v not in ("0", "*")}
                probes |= {p + ".post1" for p in probes} | {"0.0.1", "99999"}
                for version in probes:
                    entry = {"ranges": [r]}
                    expected = _outcome(osv_affected, entry, version, PEP440)
                    assert _outcome(as_range.allows, version) == expected
                    compared += 1
    assert compared > 2000
