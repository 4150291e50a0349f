"""``rules/builtin.json`` is exactly what ``builtin.yaml`` and the gate code give today."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections.abc import Iterator

import pytest
import yaml

from hullguard.secrets import compiled, config, gate
from hullguard.secrets.config import builtin_rules


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    compiled.load.cache_clear()
    yield
    compiled.load.cache_clear()


def test_committed_json_is_current() -> None:
    committed = (compiled.resources.files("hullguard.secrets") / "rules/builtin.json").read_text()
    assert committed == compiled.build(), "run `make rules` (python -m hullguard.secrets.compiled)"


def test_json_data_is_the_yaml_document() -> None:
    doc = compiled.load()
    assert doc is not None
    assert doc["source"] == hashlib.sha256(compiled.yaml_bytes()).hexdigest()
    assert doc["data"] == yaml.safe_load(compiled.yaml_bytes())


def test_rules_from_json_equal_rules_from_yaml(monkeypatch: pytest.MonkeyPatch) -> None:
    from_json = builtin_rules()
    monkeypatch.setattr(compiled, "rules_data", lambda: None)
    from_yaml = builtin_rules()
    assert from_json == from_yaml
    assert len(from_json[0]) > 40


def test_stored_gates_are_what_the_gate_code_computes() -> None:
    rules, _ = builtin_rules()
    checked = 0
    for rule in rules:
        for regex in (rule.regex, rule.context):
            if regex is None:
                continue
            known = compiled.known_gate(regex.flags, regex.pattern)
            assert known is not None, rule.id
            assert known == gate.compute_superset(regex), rule.id
            checked += 1
    assert checked >= len(rules)


def test_a_json_made_from_another_yaml_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    from_json, _ = builtin_rules()
    source = compiled.yaml_bytes()
    edited = source.replace(b"severity: CRITICAL", b"severity: LOW", 1)
    assert edited != source
    monkeypatch.setattr(compiled, "yaml_bytes", lambda: edited)
    compiled.load.cache_clear()
    assert compiled.load() is None
    assert compiled.rules_data() is None
    from_yaml, _ = builtin_rules()  # the edited YAML is what counts
    assert [r.severity for r in from_yaml] != [r.severity for r in from_json]


def test_gates_from_another_python_or_gate_version_are_not_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rules, _ = builtin_rules()
    regex = rules[0].regex
    assert compiled.known_gate(regex.flags, regex.pattern) is not None
    monkeypatch.setattr(compiled, "GATE_VERSION", compiled.GATE_VERSION + 1)
    assert compiled.known_gate(regex.flags, regex.pattern) is None
    monkeypatch.undo()
    monkeypatch.setattr(compiled, "_python", lambda: "2.7")
    assert compiled.known_gate(regex.flags, regex.pattern) is None
    assert gate.superset(regex) == gate.compute_superset(regex)


def test_a_user_rule_gets_a_computed_gate() -> None:
    parsed = config.parse_config(
        b"rules:\n  - id: acme-token\n    category: token\n    title: Acme token\n"
        b"    severity: HIGH\n    keywords: [acme_]\n    regex: 'acme_(?P<secret>[a-z0-9]{24})'\n",
        "user.yaml",
    )
    regex = parsed.rules[0].regex
    assert compiled.known_gate(regex.flags, regex.pattern) is None
    assert gate.superset(regex) == gate.compute_superset(regex)


def test_a_default_secret_scanner_does_not_import_pyyaml() -> None:
    code = (
        "import sys, json\n"
        "from hullguard.secrets.scanner import SecretScanner\n"
        "SecretScanner().prepare()\n"
        "print(json.dumps('yaml' in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) is False
