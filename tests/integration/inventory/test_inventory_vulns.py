"""who-is-affected and rescan against advisories imported from ../shared/vulndata.

The OSV records are evaluated here independently (OSV event walk with
`packaging` versions) and compared with what the inventory reports.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from packaging.version import InvalidVersion, Version
from ruamel.yaml import YAML

from hullguard.inventory import open_inventory
from hullguard.inventory.affected import who_is_affected
from hullguard.vulndb import open_db

Run = Any


def _event_version(event: dict[str, Any]) -> Version:
    value = str(next(iter(event.values())))
    return Version("0") if value == "0" else Version(value)


def _osv_affects(record: dict[str, Any], name: str, version: Version) -> bool:
    """The OSV spec's evaluation for one PyPI package version."""
    for affected in record.get("affected", []):
        if affected["package"]["name"].lower() != name.lower():
            continue
        if str(version) in {str(v) for v in affected.get("versions", [])}:
            return True
        for rng in affected.get("ranges", []):
            if rng["type"] != "ECOSYSTEM":
                continue
            events = sorted(rng["events"], key=_event_version)
            hit = False
            for event in events:
                kind, value = next(iter(event.items()))
                bound = Version("0") if value == "0" else Version(str(value))
                if kind == "introduced" and bound <= version:
                    hit = True
                elif (kind == "fixed" and bound <= version) or (
                    kind == "last_affected" and bound < version
                ):
                    hit = False
            if hit:
                return True
    return False


def test_who_is_affected_matches_osv_records(
    fleet: str, base_db: Path, imagebuild: ModuleType, vulndata: Path, run: Run, app_ref: str
) -> None:
    images = json.loads(run("inventory", "images", "--database", str(fleet), "-f", "json").out)
    app = next(i["digest"] for i in images["images"] if app_ref in i["refs"])
    checked = affected = 0
    yaml = YAML(typ="safe")
    with open_inventory(fleet) as store, open_db(base_db) as db:
        for pinned in imagebuild.PIP_PACKAGES:
            name, version = pinned.split("==")
            folder = vulndata / "osv/pypi/vulns" / name.lower()
            for path in sorted(folder.glob("*.yaml")):
                record = yaml.load(path.read_text())
                if record.get("withdrawn"):
                    continue
                try:
                    expected = _osv_affects(record, name, Version(version))
                except InvalidVersion:
                    continue
                result = who_is_affected(store, db, record["id"])
                digests = {i.digest for i in result.images}
                assert (app in digests) == expected, (record["id"], name, version)
                checked += 1
                affected += expected
    assert checked > 30 and affected > 10


def test_who_is_affected_by_alias_with_fixed_version(
    run: Run, fleet: str, base_db: Path, vulndata: Path
) -> None:
    record = YAML(typ="safe").load(
        (vulndata / "osv/pypi/vulns/requests/PYSEC-2018-28.yaml").read_text()
    )
    fixed = [
        e["fixed"]
        for r in record["affected"][0]["ranges"]
        if r["type"] == "ECOSYSTEM"
        for e in r["events"]
        if "fixed" in e
    ]
    by_id = run("inventory", "who-is-affected", "PYSEC-2018-28", "--database", str(fleet),
                "--db", str(base_db), "-f", "json")  # fmt: skip
    assert by_id.code == 0, by_id.err
    doc = json.loads(by_id.out)
    assert "CVE-2018-18074" in doc["aliases"]
    [image] = doc["images"]
    [finding] = image["findings"]
    assert (finding["package"], finding["version"], finding["fixed"]) == (
        "requests",
        "2.19.1",
        fixed,
    )
    assert image["deployments"][0]["name"] == "web"
    by_alias = run("inventory", "who-is-affected", "CVE-2018-18074", "--database", str(fleet),
                   "--db", str(base_db), "-f", "json")  # fmt: skip
    assert json.loads(by_alias.out)["images"] == doc["images"]
    table = run("inventory", "who-is-affected", "CVE-2018-18074", "--database", str(fleet),
                "--db", str(base_db)).out  # fmt: skip
    assert "1 image(s) affected" in table and "2.20.0" in table


def test_rescan_reports_new_findings_after_import(
    run: Run, inventory_db: str, fresh_db: Path, app_ref: str, alpine_sbom: Path,
    add_npm_source: Any, imagebuild: ModuleType,
) -> None:  # fmt: skip
    inv = ["--database", inventory_db, "--db", str(fresh_db)]
    assert run("inventory", "add", app_ref, "--deployment", "web", *inv).code == 0
    assert run("inventory", "add", f"sbom:{alpine_sbom}", *inv).code == 0
    first = run("inventory", "rescan", *inv, "-f", "json")
    assert first.code == 0, first.err
    assert json.loads(first.out)["new"] == []  # add already stored these findings
    add_npm_source(fresh_db)
    second = run("inventory", "rescan", *inv, "-f", "json")
    doc = json.loads(second.out)
    new_packages = {(c["finding"]["package"], c["finding"]["version"]) for c in doc["new"]}
    assert new_packages == {tuple(p.split("@")) for p in imagebuild.NPM_PACKAGES} & new_packages
    assert {"lodash", "ms"} <= {p for p, _ in new_packages}
    assert all(c["finding"]["vuln_id"].startswith("NSWG-") for c in doc["new"])
    assert doc["resolved"] == []
    third = run("inventory", "rescan", *inv, "-f", "markdown")
    assert "nothing new since the last rescan" in third.out
    affected = run("inventory", "who-is-affected", doc["new"][0]["finding"]["vuln_id"], *inv)
    assert "1 image(s) affected" in affected.out


def test_rescan_markdown_digest(
    run: Run, inventory_db: str, fresh_db: Path, app_ref: str, add_npm_source: Any
) -> None:
    inv = ["--database", inventory_db, "--db", str(fresh_db)]
    assert (
        run("inventory", "add", app_ref, "--deployment", "web", "--namespace", "shop", *inv).code
        == 0
    )
    add_npm_source(fresh_db)
    md = run("inventory", "rescan", *inv, "-f", "markdown").out
    assert md.startswith("**hullguard rescan #1**")
    assert "newly affected by NSWG-" in md and "running in shop/web" in md


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["who-is-affected", "NO-SUCH-ID-1"], 2, "not in the vulnerability database"),
        (["who-has", "foo:bar<1"], 2, "unknown ecosystem"),
        (["who-has", "pypi:requests<<"], 2, "cannot read"),
        (["add", "sbom:/nonexistent/sbom.json"], 2, "cannot read SBOM"),
        (["add", "bad ref!!"], 2, "invalid image reference"),
        (["add", "oci:/nonexistent/layout:1.0"], 3, "no such file"),
        (["add", "sbom:/etc/hostname"], 3, "SBOM"),
        (["diff", "sha256:0000000000", "sha256:1111111111"], 2, "no stored image"),
        (
            ["images", "--database", "postgresql://u:not-a-real-pw@127.0.0.1:1/inv"],
            3,
            "cannot connect to inventory postgresql://u:***@127.0.0.1:1/inv",
        ),
        (["images", "--database", "mysql://db/inv"], 2, "unsupported database URL"),
    ],
)
def test_bad_input_is_one_line(
    run: Run, fleet: str, base_db: Path, args: list[str], code: int, message: str
) -> None:
    extra = [] if "--database" in args else ["--database", str(fleet)]
    if args[0] in ("who-is-affected", "add"):
        extra += ["--db", str(base_db)]
    res = run("inventory", *args, *extra)
    assert res.code == code
    assert message in res.err
    assert len(res.err.strip().splitlines()) == 1
    assert "Traceback" not in res.err
    assert "not-a-real-pw" not in res.err


def test_corrupt_inventory_file_is_operational_error(run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "inv.db"
    bad.write_bytes(b"not a database" * 100)
    res = run("inventory", "images", "--database", str(bad))
    assert res.code == 3 and "not a usable inventory database" in res.err


def test_database_url_from_environment(
    run: Run, fleet: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HULLGUARD_DATABASE_URL", fleet if "://" in fleet else f"sqlite:///{fleet}")
    res = run("inventory", "images", "-f", "json")
    assert res.code == 0 and len(json.loads(res.out)["images"]) == 4


def test_rescan_reports_resolved_findings(
    run: Run, inventory_db: str, fresh_db: Path, base_db: Path, app_ref: str,
    add_npm_source: Any,
) -> None:  # fmt: skip
    add_npm_source(fresh_db)
    inv = ["--database", inventory_db]
    assert run("inventory", "add", app_ref, *inv, "--db", str(fresh_db)).code == 0
    doc = json.loads(run("inventory", "rescan", *inv, "--db", str(base_db), "-f", "json").out)
    assert doc["new"] == []
    gone = {c["finding"]["vuln_id"] for c in doc["resolved"]}
    assert gone and all(v.startswith("NSWG-") for v in gone)
    assert all(c["finding"]["fixed"] for c in doc["resolved"])  # full details kept
    table = run("inventory", "rescan", *inv, "--db", str(base_db)).out
    assert "0 new, 0 resolved" in table
