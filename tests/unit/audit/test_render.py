"""Report renderers: JSON stable and sorted, SARIF valid against the 2.1.0 schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from hullguard.audit.engine import audit_bytes
from hullguard.audit.interface import AuditOptions, AuditReport, Profile
from hullguard.audit.render import RENDERERS, OutputFormat

DATA = Path(__file__).resolve().parents[2] / "data"
SCHEMA = DATA / "sarif" / "sarif-2.1.0-rtm.5.json"


def _report() -> AuditReport:
    files = []
    for name in ("workloads.yaml", "compose.yaml", "docker-run.txt"):
        data = (DATA / "manifests" / name).read_bytes()
        files.append(audit_bytes(data, f"tests/data/manifests/{name}", AuditOptions()))
    return AuditReport(Profile.RESTRICTED, tuple(files))


def test_json_is_stable_sorted_and_complete() -> None:
    text = RENDERERS[OutputFormat.JSON](_report(), False)
    assert text == RENDERERS[OutputFormat.JSON](_report(), False)
    doc = json.loads(text)
    keys = [(f["file"], f["line"], f["column"], f["rule"]) for f in doc["findings"]]
    assert keys == sorted(keys)
    assert doc["summary"]["total"] == len(doc["findings"]) > 0
    f = next(f for f in doc["findings"] if f["rule"] == "AU110")
    assert f["pss_control"] == "/proc Mount Type" and f["pss_level"] == "baseline"
    assert f["doc"] == "docs/audit.md#au110-proc-mount"


def test_sarif_validates_and_has_locations() -> None:
    text = RENDERERS[OutputFormat.SARIF](_report(), False)
    doc = json.loads(text)
    jsonschema.validate(doc, json.loads(SCHEMA.read_text()))
    run = doc["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert rule_ids == sorted(set(rule_ids))
    for result in run["results"]:
        loc = result["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"].startswith("tests/data/manifests/")
        assert loc["region"]["startLine"] >= 1
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels["AU103"] == "error" and levels["AU306"] == "note"


def test_table_lists_findings_and_summary() -> None:
    text = RENDERERS[OutputFormat.TABLE](_report(), False)
    assert "AU103" in text and "CRITICAL" in text
    assert "(profile restricted)" in text
    assert "\x1b[" not in text  # no colour when not asked
    # brackets in messages are printed, not eaten as markup
    assert "cap_drop: [ALL]" in text.replace("\n", " ") or "--cap-drop ALL" in text


def test_every_rule_is_documented() -> None:
    from hullguard.audit.rules import RULES

    doc = (Path(__file__).resolve().parents[3] / "docs" / "audit.md").read_text()
    for r in RULES.values():
        assert f"#### {r.id} {r.name}\n" in doc, r.id
