"""Importers on small hand-written inputs, schema drift, corrupt input, atomic builds."""

from __future__ import annotations

import bz2
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hullguard.vulndb import (
    EntryStatus,
    SchemaDrift,
    Severity,
    SourceInput,
    VulnDBError,
    build_database,
    open_db,
)

NOW = datetime(2026, 1, 2, tzinfo=UTC)

# the documented shape of security-tracker.debian.org/tracker/data/json
TRACKER = {
    "openssl": {
        "CVE-2024-0001": {
            "description": "buffer overflow",
            "scope": "remote",
            "releases": {
                "bookworm": {
                    "status": "resolved",
                    "repositories": {"bookworm": "3.0.11-1"},
                    "fixed_version": "3.0.11-1",
                    "urgency": "high",
                },
                "bullseye": {
                    "status": "open",
                    "repositories": {"bullseye": "1.1.1n-0"},
                    "urgency": "low",
                    "nodsa": "Minor issue",
                    "nodsa_reason": "ignored",
                },
                "buster": {"status": "open", "repositories": {}, "urgency": "end-of-life"},
                "sid": {"status": "resolved", "fixed_version": "3.0.11-1", "urgency": "high"},
            },
        },
        "CVE-2024-0002": {
            "releases": {
                "bookworm": {"status": "resolved", "fixed_version": "0", "urgency": "unimportant"},
                "trixie": {"status": "open", "urgency": "not yet assigned"},
            }
        },
    }
}

OSV = {
    "id": "GHSA-test-0001",
    "modified": "2024-01-01T00:00:00Z",
    "aliases": ["CVE-2024-1000"],
    "summary": "bad thing",
    "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
    "affected": [
        {
            "package": {"ecosystem": "PyPI", "name": "Foo_Bar"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.10"}]}],
        },
        {
            "package": {"ecosystem": "Debian:12", "name": "foo"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.2-1"}]}],
        },
    ],
}


def _build(tmp_path: Path, *paths: Path) -> Path:
    db = tmp_path / "db" / "vuln.db"
    build_database(db, [SourceInput(p.name, p) for p in paths], now=NOW)
    return db


def test_tracker_statuses(tmp_path: Path) -> None:
    src = tmp_path / "tracker.json"
    src.write_text(json.dumps(TRACKER))
    with open_db(_build(tmp_path, src)) as db:
        e12 = {e.advisory_id: e for e in db.entries("debian:12", "openssl")}
        assert e12["CVE-2024-0001"].status is EntryStatus.AFFECTED
        assert e12["CVE-2024-0001"].fixed == ("3.0.11-1",)
        assert e12["CVE-2024-0001"].severity is Severity.HIGH
        assert e12["CVE-2024-0002"].status is EntryStatus.NOT_AFFECTED
        assert db.entries("debian:11", "openssl")[0].status is EntryStatus.WILL_NOT_FIX
        assert db.entries("debian:10", "openssl")[0].status is EntryStatus.END_OF_LIFE
        assert db.entries("debian:13", "openssl")[0].status is EntryStatus.NO_FIX
        assert db.advisories(["CVE-2024-0001"])["CVE-2024-0001"].details == "buffer overflow"


def test_osv_yaml_keeps_versions_as_strings_and_namespaces(tmp_path: Path) -> None:
    import yaml

    src = tmp_path / "osv"
    src.mkdir()
    (src / "GHSA-test-0001.yaml").write_text(yaml.safe_dump(OSV).replace("'1.10'", "1.10"))
    with open_db(_build(tmp_path, src)) as db:
        (entry,) = db.entries("PyPI", "foo-bar")
        assert entry.fixed == ("1.10",)  # not the float 1.1
        assert db.entries("debian:12", "foo")[0].fixed == ("1.2-1",)
        adv = db.advisories(["GHSA-test-0001"])["GHSA-test-0001"]
        assert (adv.cvss_score, adv.severity) == (9.8, Severity.CRITICAL)
        assert adv.severity_source == "CVSS:3.1 vector"


def test_zip_of_json_records(tmp_path: Path) -> None:
    archive = tmp_path / "all.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("GHSA-test-0001.json", json.dumps(OSV))
    with open_db(_build(tmp_path, archive)) as db:
        assert [s.records for s in db.sources()] == [1]


def _drift_cases(tmp_path: Path) -> list[tuple[Path, str]]:
    cases = []
    broken_zip = tmp_path / "broken.zip"
    broken_zip.write_bytes(b"PK\x03\x04 this is not a zip")
    cases.append((broken_zip, "not a readable zip"))
    yaml_dir = tmp_path / "yaml"
    yaml_dir.mkdir()
    (yaml_dir / "PYSEC-1.yaml").write_text("id: PYSEC-1\naffected: [unclosed\n")
    cases.append((yaml_dir, "does not parse"))
    oval = tmp_path / "oval-definitions-bookworm.xml.bz2"
    body = b"".join(f"<x id='{i * 7919 % 10007}'/>".encode() for i in range(20000))
    whole = bz2.compress(b"<oval_definitions>" + body + b"</oval_definitions>")
    oval.write_bytes(whole[: len(whole) // 2])
    cases.append((oval, "truncated"))
    missing = tmp_path / "missing-field"
    missing.mkdir()
    bad = dict(OSV, affected=[{"package": {"name": "x"}, "ranges": []}])
    (missing / "GHSA-x.json").write_text(json.dumps(bad))
    cases.append((missing, "affected[0].package.ecosystem"))
    secdb = tmp_path / "secdb"
    secdb.mkdir()
    (secdb / "main.json").write_text(
        json.dumps({"distroversion": "v3.19", "packages": [{"pkg": {}}]})
    )
    cases.append((secdb, "packages[0].pkg.name"))
    tracker = tmp_path / "trk"
    tracker.mkdir()
    drifted = {"openssl": {"CVE-1": {"releases": {"bookworm": {"status": "gone-fishing"}}}}}
    (tracker / "t.json").write_text(json.dumps(drifted))
    cases.append((tracker, "has unknown value 'gone-fishing'"))
    npm = tmp_path / "npm"
    npm.mkdir()
    (npm / "1.json").write_text(json.dumps({"id": 1, "module_name": "x", "cves": "CVE-1",
                                            "vulnerable_versions": "<1"}))  # fmt: skip
    cases.append((npm, "field 'cves'"))
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "main.json").write_text(
        json.dumps({"distroversion": "v3.19", "packages": [], "signature": "x"})
    )
    cases.append((extra, "field 'signature' is not a known secdb field"))
    return cases


def test_drift_and_corruption_give_one_line_errors_and_keep_the_old_db(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(OSV))
    db_path = _build(tmp_path, good)
    before = db_path.read_bytes()
    for path, needle in _drift_cases(tmp_path):
        with pytest.raises(VulnDBError) as info:
            build_database(db_path, [SourceInput(path.name, path)], now=NOW)
        text = info.value.diagnostics()
        assert needle in text, text
        assert "\n" not in text
        assert db_path.read_bytes() == before
        assert not list(db_path.parent.glob(".*tmp"))


def test_schema_drift_names_file_and_field(tmp_path: Path) -> None:
    src = tmp_path / "x" / "GHSA-x.json"
    src.parent.mkdir()
    src.write_text(json.dumps({"id": 5, "affected": []}))
    with pytest.raises(SchemaDrift) as info:
        _build(tmp_path, src.parent)
    assert info.value.field_name == "id" and str(src) in info.value.message


def test_empty_source_and_missing_db_are_clear(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "README.md").write_text("nothing here")
    with pytest.raises(VulnDBError, match="holds no advisory records"):
        _build(tmp_path, empty)
    with pytest.raises(VulnDBError) as info:
        open_db(tmp_path / "nope.db")
    assert "hullguard db update" in info.value.diagnostics()
    assert "db import" in info.value.diagnostics()
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(VulnDBError, match="not a hullguard vulnerability database"):
        open_db(junk)


def test_reimport_replaces_only_its_source(tmp_path: Path) -> None:
    a = tmp_path / "a.json"
    a.write_text(json.dumps(OSV))
    t = tmp_path / "tracker.json"
    t.write_text(json.dumps(TRACKER))
    db_path = _build(tmp_path, a, t)
    changed = dict(OSV, affected=[OSV["affected"][0]])
    a.write_text(json.dumps(changed))
    build_database(db_path, [SourceInput("a.json", a)], now=NOW)
    with open_db(db_path) as db:
        assert db.entries("debian:12", "foo") == []
        assert db.entries("PyPI", "foo-bar")
        assert db.entries("debian:12", "openssl")
        assert {s.name for s in db.sources()} == {"a.json", "tracker.json"}
        assert db.built_at == NOW
