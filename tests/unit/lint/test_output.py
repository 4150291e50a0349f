"""Renderers: JSON stable and sorted, SARIF 2.1.0 structure, table summary."""

from __future__ import annotations

import json
from pathlib import Path

from hullguard.lint.dockerfile.parser import parse
from hullguard.lint.dockerfile.rules.framework import LintContext
from hullguard.lint.engine import all_rules, lint_dockerfile
from hullguard.lint.interface import Severity
from hullguard.lint.output.common import OutputFormat, Report, renderers

CORPUS = Path(__file__).resolve().parents[2] / "data" / "dockerfiles"


def report(name: str = "32-ignore-pragmas.Dockerfile", **kw) -> Report:  # type: ignore[no-untyped-def]
    path = CORPUS / name
    result = lint_dockerfile(parse(path.read_bytes(), f"docker/{name}"), LintContext())
    return Report((result,), all_rules(), kw.pop("fail_on", Severity.HIGH), "0.1.0", **kw)


def test_json_is_deterministic_sorted_and_keeps_suppressed() -> None:
    text = renderers()[OutputFormat.JSON](report())
    assert text == renderers()[OutputFormat.JSON](report())
    doc = json.loads(text)
    assert list(doc) == sorted(doc)
    findings = doc["files"][0]["findings"]
    keys = [(f["line"], f["column"], f["rule_id"], f["message"]) for f in findings]
    assert keys == sorted(keys)
    suppressed = [f for f in findings if f["suppressed"]]
    assert {f["rule_id"] for f in suppressed} == {"HGD021", "HGD031", "HGD040", "HGD041", "HGD051"}
    assert doc["summary"]["suppressed"] == 5
    assert doc["passed"] is True  # every HIGH finding is suppressed inline
    assert findings[0]["help_uri"].endswith("#" + findings[0]["rule_id"].lower())


def test_sarif_rules_results_and_suppressions() -> None:
    doc = json.loads(renderers()[OutputFormat.SARIF](report()))
    assert doc["version"] == "2.1.0" and doc["$schema"].endswith("sarif-2.1.0.json")
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert ids == sorted(set(ids)) and len(ids) == len(all_rules())
    for rule in rules:
        assert float(rule["properties"]["security-severity"]) >= 0
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["endLine"] >= region["startLine"]
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
            "docker/32-ignore-pragmas.Dockerfile"
        )
    suppressed = [r for r in run["results"] if "suppressions" in r]
    assert len(suppressed) == 5
    assert all(s["suppressions"][0]["kind"] == "inSource" for s in suppressed)
    root = next(r for r in run["results"] if r["ruleId"] == "HGD021")
    assert root["level"] == "error"


def test_severity_filter_and_table_summary() -> None:
    rep = report("14-ubuntu-legacy-sshd.Dockerfile", shown=frozenset({Severity.MEDIUM}))
    doc = json.loads(renderers()[OutputFormat.JSON](rep))
    assert {f["severity"] for f in doc["files"][0]["findings"]} == {"MEDIUM"}
    rep = report("14-ubuntu-legacy-sshd.Dockerfile", fail_on=Severity.MEDIUM)
    table = renderers()[OutputFormat.TABLE](rep)
    assert "HGD023" in table and "EXPOSE 22" in table
    assert table.rstrip().splitlines()[-1].endswith("FAILED (findings at or above MEDIUM)")
    table = renderers()[OutputFormat.TABLE](report("14-ubuntu-legacy-sshd.Dockerfile"))
    assert table.rstrip().endswith("PASSED")


def test_table_passes_for_clean_file() -> None:
    table = renderers()[OutputFormat.TABLE](report("05-distroless-pinned.Dockerfile"))
    assert "HGD005" in table and table.rstrip().endswith("PASSED")
