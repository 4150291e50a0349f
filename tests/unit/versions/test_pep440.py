"""PEP 440 comparator against ``packaging`` on every version string of the PyPI OSV data."""

from __future__ import annotations

import random

import pytest
from packaging.version import InvalidVersion as PackagingInvalid
from packaging.version import Version

from hullguard.versions import InvalidVersion, pep440


def _strings(records: list[dict]) -> list[str]:
    found: set[str] = set()
    for record in records:
        for affected in record.get("affected", []):
            found.update(str(v) for v in affected.get("versions", []))
            for rng in affected.get("ranges", []):
                if rng.get("type") == "ECOSYSTEM":
                    for event in rng.get("events", []):
                        found.update(str(v) for v in event.values())
    return sorted(found)


def test_validity_and_order_match_packaging(pypi_osv: list[dict]) -> None:
    strings = _strings(pypi_osv)
    assert len(strings) > 10000
    valid = []
    for text in strings:
        try:
            expected: Version | None = Version(text)
        except PackagingInvalid:
            expected = None
        if expected is None:
            with pytest.raises(InvalidVersion):
                pep440.parse(text)
        else:
            assert pep440.parse(text) == expected
            valid.append(text)
    rng = random.Random(1)
    for _ in range(20000):
        a, b = rng.choice(valid), rng.choice(valid)
        va, vb = Version(a), Version(b)
        assert pep440.COMPARATOR.compare(a, b) == (va > vb) - (va < vb)
