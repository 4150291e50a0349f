"""Parsing is cached and comparisons are cheap enough for matching 5,000 packages."""

from __future__ import annotations

import time

from hullguard.versions import VersionScheme, comparator_for, osv_affected
from hullguard.versions.osv import compile_affected


def test_parse_is_cached() -> None:
    comparator = comparator_for(VersionScheme.DPKG)
    assert comparator.parse("1:2.36-9+deb12u4") is comparator.parse("1:2.36-9+deb12u4")


def test_osv_evaluation_throughput() -> None:
    """5,000 packages x 8 advisories each in well under a second once keys are cached."""
    entries = [
        {"ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": f"2.{i}-1"}]}]}
        for i in range(8)
    ]
    versions = [f"{i % 50}.{i % 7}-{i % 3 + 1}" for i in range(5000)]
    for version in versions:  # warm the parse caches (the DB keeps them warm in a scan)
        osv_affected(entries[0], version, VersionScheme.DPKG)
    start = time.perf_counter()
    hits = sum(osv_affected(e, v, VersionScheme.DPKG) for v in versions for e in entries)
    elapsed = time.perf_counter() - start
    assert hits > 0
    assert elapsed < 1.5, f"40,000 evaluations took {elapsed:.2f}s"


def test_compiled_evaluation_throughput() -> None:
    """The matcher's path: entries compiled once, 40,000 checks in well under 0.5 s."""
    entries = [
        {"ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": f"3.{i}"}]}]}
        for i in range(8)
    ]
    compiled = [compile_affected(e, VersionScheme.PEP440) for e in entries]
    versions = [f"{i % 9}.{i % 11}.{i % 5}" for i in range(5000)]
    for version in versions:
        compiled[0].affects(version)
    start = time.perf_counter()
    hits = sum(c.affects(v) for v in versions for c in compiled)
    elapsed = time.perf_counter() - start
    assert hits > 0
    assert elapsed < 0.5, f"40,000 compiled evaluations took {elapsed:.2f}s"
