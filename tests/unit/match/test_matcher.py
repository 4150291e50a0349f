"""Matcher rules on a hand-made index: source priority, statuses, skipped, aliases, EOL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from hullguard.match import FindingStatus, VulnOptions, scan_packages
from hullguard.model.package import OSInfo, Package, PackageType, Purl
from hullguard.vulndb.interface import (
    Advisory,
    AffectedEntry,
    EntryStatus,
    Severity,
    SourceKind,
    SupportEnded,
    VulnId,
)

DEBIAN = OSInfo("debian", "12", "bookworm")


def _rng(fixed: str | None) -> dict[str, object]:
    events: list[dict[str, str]] = [{"introduced": "0"}]
    if fixed:
        events.append({"fixed": fixed})
    return {"ranges": [{"type": "ECOSYSTEM", "events": events}], "versions": []}


def _entry(vid: str, source: SourceKind, status: EntryStatus, fixed: str | None = None,
           name: str = "openssl", ns: str = "debian:12",
           severity: Severity = Severity.UNKNOWN) -> AffectedEntry:  # fmt: skip
    return AffectedEntry(VulnId(vid), ns, name, source, status, _rng(fixed),
                         (fixed,) if fixed else (), severity)  # fmt: skip


def _deb(version: str = "3.0.9-1") -> Package:
    return Package("libssl3", version, PackageType.DEB, Purl(f"pkg:deb/debian/libssl3@{version}"),
                   source_name="openssl", source_version=version)  # fmt: skip


def _scan(index: Any, packages: list[Package], os_info: OSInfo | None = DEBIAN, **kw: Any) -> Any:
    options = VulnOptions(today=date(2026, 1, 1), **kw)
    return scan_packages(packages, os_info, index, options, now=datetime(2026, 1, 1, tzinfo=UTC))


def test_tracker_wins_over_oval_and_not_affected_wins(fake_index: Any) -> None:
    index = fake_index(
        [
            _entry("CVE-1", SourceKind.DEBIAN_OVAL, EntryStatus.AFFECTED, "3.0.10-1"),
            _entry("CVE-1", SourceKind.DEBIAN_TRACKER, EntryStatus.NOT_AFFECTED),
            _entry("CVE-2", SourceKind.DEBIAN_OVAL, EntryStatus.AFFECTED, "3.0.10-1"),
            _entry(
                "CVE-2",
                SourceKind.DEBIAN_TRACKER,
                EntryStatus.AFFECTED,
                "3.0.11-1",
                severity=Severity.HIGH,
            ),
            _entry("CVE-3", SourceKind.DEBIAN_TRACKER, EntryStatus.WILL_NOT_FIX),
            _entry("CVE-4", SourceKind.DEBIAN_TRACKER, EntryStatus.NO_FIX),
            _entry("CVE-5", SourceKind.DEBIAN_OVAL, EntryStatus.UNDETERMINED),
            _entry("CVE-6", SourceKind.DEBIAN_TRACKER, EntryStatus.AFFECTED, "3.0.9-1"),
        ],
        [Advisory(VulnId("CVE-2"), SourceKind.DEBIAN_TRACKER, summary="heap overflow")],
    )
    report = _scan(index, [_deb()])
    by_id = {f.vuln_id: f for f in report.findings}
    assert sorted(by_id) == ["CVE-2", "CVE-3", "CVE-4"]
    assert by_id["CVE-2"].fixed_versions == ("3.0.11-1",)
    assert by_id["CVE-2"].data_source == "debian-tracker"
    assert (by_id["CVE-2"].severity, by_id["CVE-2"].severity_source) == (
        Severity.HIGH, "vendor (debian-tracker)")  # fmt: skip
    assert by_id["CVE-2"].title == "heap overflow"
    assert by_id["CVE-3"].status is FindingStatus.WILL_NOT_FIX
    assert by_id["CVE-4"].status is FindingStatus.AFFECTED_NO_FIX
    assert by_id["CVE-2"].installed_version == "3.0.9-1"


def test_unparsable_version_is_skipped_not_guessed(fake_index: Any) -> None:
    index = fake_index(
        [_entry("CVE-1", SourceKind.DEBIAN_OVAL, EntryStatus.AFFECTED, "3.0.10-1")], []
    )
    report = _scan(index, [_deb("not a version!")])
    assert report.findings == ()
    assert len(report.skipped) == 1 and report.skipped[0].package_name == "libssl3"


def test_aliases_merge_and_language_names_normalise(fake_index: Any) -> None:
    pypi = {"ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}],
            "versions": []}  # fmt: skip
    index = fake_index(
        [
            AffectedEntry(
                VulnId("PYSEC-1"),
                "PyPI",
                "zope-interface",
                SourceKind.OSV,
                EntryStatus.AFFECTED,
                pypi,
                ("2.0",),
            ),
            AffectedEntry(
                VulnId("GHSA-1"),
                "PyPI",
                "zope-interface",
                SourceKind.NPM_LEGACY,
                EntryStatus.AFFECTED,
                pypi,
                ("2.0",),
            ),
        ],
        [
            Advisory(VulnId("PYSEC-1"), SourceKind.OSV, aliases=("CVE-9",)),
            Advisory(VulnId("GHSA-1"), SourceKind.OSV, aliases=("CVE-9", "PYSEC-1")),
        ],
    )
    pkg = Package("Zope.Interface", "1.0", PackageType.PYTHON, Purl("pkg:pypi/zope.interface@1.0"))
    report = _scan(index, [pkg], None)
    assert [f.vuln_id for f in report.findings] == ["PYSEC-1"]


def test_eol_release_and_early_ended_package(fake_index: Any) -> None:
    index = fake_index([_entry("CVE-4", SourceKind.DEBIAN_TRACKER, EntryStatus.NO_FIX)], [])
    index.ended = [SupportEnded("debian:11", "open.*", "0", "2024-01-01", "unsupported")]
    old = OSInfo("debian", "11", "bullseye")
    report = _scan(index, [_deb()], old)
    assert report.findings == ()  # entries are for debian:12 only
    assert [(n.package, n.namespace) for n in report.eol] == [("openssl", "debian:11")]
    index.ended = [SupportEnded("debian:12", "openssl", "3.1", "2025-06-01", "ended early")]
    report = _scan(index, [_deb()])
    assert report.findings[0].status is FindingStatus.END_OF_LIFE
    assert report.eol[0].details == "ended early"


def test_stale_database_warns(fake_index: Any) -> None:
    index = fake_index([], [])
    index.built_at = datetime(2025, 12, 20, tzinfo=UTC)
    report = _scan(index, [_deb()])
    assert any("12 day(s) old" in w for w in report.warnings)
    assert report.db_age_hours == 12 * 24


def test_unmatched_os_packages_are_never_silent(fake_index: Any) -> None:
    index = fake_index([_entry("CVE-1", SourceKind.DEBIAN_OVAL, EntryStatus.AFFECTED, "9")], [])
    report = _scan(index, [_deb()], OSInfo("debian", "11"))
    assert "the database has no debian:11 data" in " ".join(report.warnings)
    report = _scan(index, [_deb()], None)
    assert "no advisory data for this OS (not detected)" in " ".join(report.warnings)
    report = _scan(index, [_deb()])
    assert not any("not matched" in w for w in report.warnings)
