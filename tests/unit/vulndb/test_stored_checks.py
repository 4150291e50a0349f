"""Schema 3: plain bounds, the best source and titles stored at build, checked in SQLite.

The matcher's cold path (``VulnDB.candidates``) must give exactly what the
in-memory path (preloaded namespaces, every entry evaluated in Python) gives,
including which source wins when two describe the same advisory.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from hullguard.match import VulnOptions, scan_packages
from hullguard.model.package import OSInfo, Package, PackageType, Purl
from hullguard.versions import InvalidVersion, VersionScheme
from hullguard.versions.osv_bounds import encode_bounds, interval, load_bounds, portable_key
from hullguard.vulndb import SourceInput, build_database, open_db
from hullguard.vulndb.interface import Advisory, AdvisoryBrief, SourceKind, VulnId, advisory_title

NOW = datetime(2026, 1, 2, tzinfo=UTC)
DEBIAN = OSInfo("debian", "12", "bookworm")
OPTIONS = VulnOptions(today=date(2026, 1, 1))

TRACKER = {
    "openssl": {
        "CVE-2024-0001": {
            "description": "buffer overflow",
            "releases": {
                "bookworm": {"status": "resolved", "fixed_version": "3.0.11-1", "urgency": "high"}
            },
        },
        "CVE-2024-0002": {  # not affected in bookworm, whatever OSV says
            "releases": {
                "bookworm": {"status": "resolved", "fixed_version": "0", "urgency": "unimportant"}
            },
        },
    }
}


def _osv(vid: str, fixed: str) -> dict[str, Any]:
    return {
        "id": vid,
        "modified": "2024-01-01T00:00:00Z",
        "summary": f"OSV says {vid}",
        "affected": [
            {
                "package": {"ecosystem": "Debian:12", "name": "openssl"},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}
                ],
            }
        ],
    }


def _package(version: str) -> Package:
    purl = Purl(f"pkg:deb/debian/libssl3@{version}?distro=debian-12")
    return Package("libssl3", version, PackageType.DEB, purl, source_name="openssl",
                   source_version=version)  # fmt: skip


def _scan(db_path: Path, packages: list[Package], preload: bool) -> Any:
    with open_db(db_path) as db:
        if preload:
            db.preload(["debian:12"])
        report = scan_packages(packages, DEBIAN, db, OPTIONS, target="t", now=NOW)
    return dataclasses.asdict(report)


@pytest.fixture
def sources(tmp_path: Path) -> tuple[SourceInput, SourceInput]:
    osv = tmp_path / "osv"
    osv.mkdir()
    for vid, fixed in (("CVE-2024-0001", "4.0-1"), ("CVE-2024-0002", "9.9-1")):
        (osv / f"{vid}.json").write_text(json.dumps(_osv(vid, fixed)))
    tracker = tmp_path / "tracker.json"
    tracker.write_text(json.dumps(TRACKER))
    return SourceInput("osv", osv), SourceInput("tracker", tracker)


@pytest.mark.parametrize("one_build", [True, False])
def test_the_trusted_source_wins_in_sqlite_too(
    tmp_path: Path, sources: tuple[SourceInput, SourceInput], one_build: bool
) -> None:
    db_path = tmp_path / "vuln.db"
    if one_build:
        build_database(db_path, list(sources), now=NOW)
    else:  # the tracker arrives in a later build: the OSV rows must lose then
        build_database(db_path, [sources[0]], now=NOW)
        build_database(db_path, [sources[1]], now=NOW)
    packages = [_package("3.0.10-1"), _package("3.0.12-1"), _package("not a version!")]
    cold, warm = _scan(db_path, packages, False), _scan(db_path, packages, True)
    assert cold == warm
    found = {(f["vuln_id"], f["package_version"], f["data_source"]) for f in cold["findings"]}
    # OSV alone would report both ids for both valid versions
    assert found == {("CVE-2024-0001", "3.0.10-1", "debian-tracker")}
    assert [s["package_version"] for s in cold["skipped"]] == ["not a version!"]


def test_without_the_tracker_osv_decides(
    tmp_path: Path, sources: tuple[SourceInput, SourceInput]
) -> None:
    db_path = tmp_path / "vuln.db"
    build_database(db_path, [sources[0]], now=NOW)
    packages = [_package("3.0.12-1")]
    cold = _scan(db_path, packages, False)
    assert cold == _scan(db_path, packages, True)
    assert {f["vuln_id"] for f in cold["findings"]} == {"CVE-2024-0001", "CVE-2024-0002"}


def test_titles_are_stored_at_build(
    tmp_path: Path, sources: tuple[SourceInput, SourceInput]
) -> None:
    db_path = tmp_path / "vuln.db"
    build_database(db_path, list(sources), now=NOW)
    with open_db(db_path) as db:
        full = db.advisories(["CVE-2024-0001"])["CVE-2024-0001"]
        assert db.briefs(["CVE-2024-0001", "NOPE"]) == {"CVE-2024-0001": AdvisoryBrief.of(full)}
        assert db.briefs(["CVE-2024-0001"])["CVE-2024-0001"].title == "OSV says CVE-2024-0001"


def test_advisory_title() -> None:
    assert advisory_title("", " a\n\tb  c ") == "a b c"
    assert advisory_title("summary", "details") == "summary"
    long = advisory_title("", "word " * 40)
    assert len(long) == 120 and long.endswith("...")
    brief = AdvisoryBrief.of(Advisory(VulnId("X-1"), SourceKind.OSV, details="d  d"))
    assert brief.title == "d d"


AFFECTED = [
    {"ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.2-1"}]}]},
    {"ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "1.1"}, {"fixed": "1.2-1"}]}]},
    {"ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "1.1"}]}]},
    {
        "versions": ["1.0-1", "1.5"],
        "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "1.1"}, {"fixed": "1.2-1"}]}],
    },
    {"versions": ["1.0-1"]},
    {},
    {"ranges": [{"type": "GIT", "events": [{"introduced": "abc"}]}]},
    # not plain: the matcher evaluates these in Python
    {
        "ranges": [
            {
                "type": "ECOSYSTEM",
                "events": [
                    {"introduced": "0"},
                    {"fixed": "1.0"},
                    {"introduced": "1.1"},
                    {"fixed": "1.2"},
                ],
            }
        ]
    },
    {"ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"last_affected": "1.1"}]}]},
    {"ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"limit": "1.1"}]}]},
    {"ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "0"}]}]},
]
VERSIONS = ["0.9", "1.0-1", "1.0", "1.1", "1.1-1", "1.2", "1.2-1", "1.5", "2:0.1", "not valid"]


def _stored_verdict(plain: tuple[str, str, str, str | None], version: str) -> bool | None:
    """What the candidates query decides (None: left to Python)."""
    span, listed, low, high = plain
    if f"\n{version}\n" in listed:
        return True
    if span == "V":
        return False
    key = portable_key(span, VersionScheme.DPKG, version)
    if key is None:
        return None
    return low <= key and (high is None or key < high)


@pytest.mark.parametrize("affected", AFFECTED)
def test_plain_bounds_decide_like_the_compiled_form(affected: dict[str, Any]) -> None:
    text = encode_bounds(affected, VersionScheme.DPKG)
    plain = interval(text)
    plain_shapes = 7
    assert (plain is not None) == (AFFECTED.index(affected) < plain_shapes)
    if plain is None:
        return
    compiled = load_bounds(text, VersionScheme.DPKG)
    for version in VERSIONS:
        decided = _stored_verdict(plain, version)
        if decided is None:
            with pytest.raises(InvalidVersion):  # the matcher reports it as skipped
                compiled.affects(version)
        else:
            assert decided == compiled.affects(version), (affected, version)
