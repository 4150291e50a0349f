"""plan_fills (severity across aliases) and the unified Severity enum."""

from __future__ import annotations

import sqlite3

import pytest

from hullguard.errors import UsageError
from hullguard.model.severity import Severity as ModelSeverity
from hullguard.vulndb import schema
from hullguard.vulndb.interface import Severity
from hullguard.vulndb.severity_fill import (
    SeverityRecord,
    fill_severities,
    plan_fills,
    reset_fills,
)

V31 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"  # 9.8 CRITICAL
V30 = "CVSS:3.0/AV:L/AC:L/PR:L/UI:R/S:C/C:N/I:L/A:N"  # 3.4 LOW


def rec(
    vid: str,
    aliases: tuple[str, ...] = (),
    severity: Severity = Severity.UNKNOWN,
    source: str = "",
    vector: str = "",
    score: float | None = None,
    kind: str = "osv",
) -> SeverityRecord:
    return SeverityRecord(vid, kind, aliases, severity, source, vector, score)


def test_one_enum_for_every_scanner() -> None:
    assert Severity is ModelSeverity
    assert [s.rank for s in (Severity.UNKNOWN, Severity.NEGLIGIBLE, Severity.LOW)] == [0, 1, 2]
    assert Severity.from_vendor("unimportant") is Severity.NEGLIGIBLE
    assert Severity.from_vendor("Moderate") is Severity.MEDIUM
    assert Severity.from_vendor("low**") is Severity.LOW
    assert Severity.from_vendor("not yet assigned") is Severity.UNKNOWN
    with pytest.raises(UsageError):
        Severity.parse("moderate")  # user input stays strict


def test_direct_alias_fills_with_provenance() -> None:
    donor = rec("NSWG-ECO-1", ("CVE-1",), Severity.HIGH, "CVSS:3.1 vector", V31, 9.8, "npm-legacy")
    fills = plan_fills([donor, rec("CVE-1", kind="debian-oval")])
    assert len(fills) == 1
    fill = fills[0]
    assert (fill.id, fill.severity, fill.cvss_vector, fill.cvss_score) == (
        "CVE-1",
        Severity.HIGH,
        V31,
        9.8,
    )
    assert fill.severity_source == "alias CVE-1: CVSS:3.1 vector of NSWG-ECO-1 (npm-legacy)"


def test_shared_alias_between_two_records() -> None:
    donor = rec("PYSEC-1", ("CVE-9", "GHSA-x"), Severity.MEDIUM, "CVSS:3.0 vector", V30, 3.4)
    fills = plan_fills([donor, rec("GO-1", ("CVE-9",))])
    assert [(f.id, f.severity) for f in fills] == [("GO-1", Severity.MEDIUM)]
    assert fills[0].severity_source.startswith("alias CVE-9: ")


def test_no_transitive_chains_and_no_invention() -> None:
    # A shares CVE-1 with B; B shares CVE-2 with C (which has a severity): A gets nothing
    records = [
        rec("A", ("CVE-1",)),
        rec("B", ("CVE-1", "CVE-2")),
        rec("C", ("CVE-2",), Severity.CRITICAL, "CVSS:3.1 vector", V31, 9.8),
        rec("D", ("CVE-3",)),
    ]
    assert {f.id for f in plan_fills(records)} == {"B"}


def test_propagated_values_are_not_donors() -> None:
    propagated = rec("X", ("CVE-5",), Severity.HIGH, "alias CVE-4: ... of Y (osv)", V31, 9.8)
    assert plan_fills([propagated, rec("CVE-5")]) == []


def test_newest_cvss_version_wins_then_smallest_id() -> None:
    records = [
        rec("B-old", ("CVE-1",), Severity.LOW, "CVSS:3.0 vector", V30, 3.4),
        rec("C-new", ("CVE-1",), Severity.CRITICAL, "CVSS:3.1 vector", V31, 9.8),
        rec("A-word", ("CVE-1",), Severity.HIGH, "vendor (OSV database_specific)"),
        rec("CVE-1"),
    ]
    fills = plan_fills(records)
    assert [(f.id, f.severity) for f in fills] == [("CVE-1", Severity.CRITICAL)]


def test_vector_without_severity_is_scored_and_never_overwritten() -> None:
    fills = plan_fills(
        [rec("X", ("CVE-1",), vector=V31), rec("Y", ("CVE-1",), Severity.LOW, "v", V30, 3.4)]
    )
    assert [(f.id, f.severity, f.cvss_score, f.severity_source) for f in fills] == [
        ("X", Severity.CRITICAL, 9.8, "CVSS:3.1 vector")
    ]
    assert plan_fills([rec("Z", vector="CVSS:3.1/garbage")]) == []


def test_reset_then_fill_follows_the_donor() -> None:
    conn = sqlite3.connect(":memory:")
    conn.executescript(schema.DDL)
    conn.execute(
        schema.UPSERT_ADVISORY,
        ("N-1", "o", "npm-legacy", '["CVE-1"]', "", "", "LOW", "CVSS:3.0 vector", V30, 3.4,
         "", "", "", "[]"),
    )  # fmt: skip
    conn.execute(
        schema.UPSERT_ADVISORY,
        ("CVE-1", "o", "debian-oval", "[]", "", "", "UNKNOWN", "", "", None, "", "", "", "[]"),
    )
    assert fill_severities(conn) == 1
    # the donor changes (a new import): reset + fill recompute the propagated value
    conn.execute(
        "UPDATE advisories SET severity='CRITICAL', cvss_vector=?, cvss_score=9.8 WHERE id='N-1'",
        (V31,),
    )
    reset_fills(conn)
    assert conn.execute("SELECT severity FROM advisories WHERE id='CVE-1'").fetchone() == (
        "UNKNOWN",
    )
    assert fill_severities(conn) == 1
    assert conn.execute(
        "SELECT severity, cvss_score FROM advisories WHERE id='CVE-1'"
    ).fetchone() == ("CRITICAL", 9.8)
