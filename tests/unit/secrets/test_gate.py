"""Rule gates: a file in which a rule's gate finds nothing holds no match of the rule.

The gate is a hyperscan pattern rebuilt from the rule's parse tree; these tests
check the superset property against ``re`` itself on constructs whose meaning
depends on Python's flags (case folding over latin-1, Unicode ``\\w``/``\\s``,
``.``), on widened constructs (look-arounds, back-references, long repeats),
and on every built-in rule's positive case.
"""

from __future__ import annotations

import re

import pytest
from test_rules import CASES

from hullguard.model.severity import Severity
from hullguard.secrets import SecretScanner
from hullguard.secrets.config import builtin_rules
from hullguard.secrets.gate import RuleGate, Unsupported, superset
from hullguard.secrets.interface import RuleId, Scope, SecretCategory, SecretRule

#: every latin-1 character, then some texts around the interesting ones
ALL_LATIN1 = [bytes([b]) for b in range(256)]
TEXTS = [
    *ALL_LATIN1,
    b"",
    b"Password = 'hunter2hunter2'",
    b"\xc9t\xc9 \xe9t\xe9",  # latin-1 case pairs
    b"key\x85\xa0=value",  # Unicode whitespace outside ASCII
    b"abc\nabc",
    b"'quoted' \"quoted\"",
    b"x" * 300,
    b"AbC abd cde",
    b"x\nquoted\ny",
]


def _rule(pattern: str, flags: int = 0, context: str | None = None) -> SecretRule:
    return SecretRule(
        id=RuleId("t"),
        category=SecretCategory.API_KEY,
        title="test",
        severity=Severity.HIGH,
        regex=re.compile(pattern, flags),
        keywords=("x",),
        context=re.compile(context) if context else None,
        scopes=frozenset({Scope.FILE}),
    )


PATTERNS = [
    (r"(?i)\xe9t\xe9", 0),  # case folding of latin-1 letters
    (r"\w{3}", 0),  # Unicode \w: latin-1 letters too
    (r"\w{3}", re.ASCII),
    (r"key\s+=", 0),  # \s includes \x85 and \xa0 in str patterns
    (r"[^a-z]{2}", re.IGNORECASE),
    (r"a.c", 0),
    (r"a.c", re.DOTALL),
    (r"(?<![a-z])password\s*=\s*(['\"])(?P<v>\w{8,})\1", re.IGNORECASE),  # look-behind, backref
    (r"(?=x)x{250}(?!y)", 0),  # long repeat, look-arounds
    (r"(?:ab|cd)+?e*", 0),  # lazy repeats
    (r"(?>ab)c|(?:d)++", 0),  # atomic group, possessive repeat
    (r"(?-i:A)(?i:b)c", re.IGNORECASE),  # scoped flags
    (r"^\bquoted\b$", re.MULTILINE),
]


@pytest.mark.parametrize(("pattern", "flags"), PATTERNS, ids=[p for p, _ in PATTERNS])
def test_gate_fires_wherever_the_regex_matches(pattern: str, flags: int) -> None:
    gate = RuleGate([_rule(pattern, flags)])
    assert not gate.ungated
    regex = re.compile(pattern, flags)
    matched = [raw for raw in TEXTS if regex.search(raw.decode("latin-1"))]
    assert matched  # the property is tested on real matches
    for raw in matched:
        assert gate.passed(raw) == {0}, raw


def test_gate_is_selective() -> None:
    gate = RuleGate([_rule(r"(?i)(?<![a-z])api_key\s*=\s*\w{16}")])
    assert gate.passed(b"the api_key is documented below\n") == set()
    assert gate.passed(b"API_KEY = abcdefghij0123456789\n") == {0}


def test_context_rule_is_gated_by_its_context() -> None:
    gate = RuleGate([_rule(r"[a-z]{4}", context=r"AKIA[A-Z]{4}")])
    assert gate.passed(b"plenty of words here") == set()
    assert gate.passed(b"AKIAABCD and words") == {0}


def test_unsupported_construct_leaves_the_rule_ungated() -> None:
    with pytest.raises(Unsupported):
        superset(re.compile(r"(a)?(?(1)b|c)"))
    with pytest.raises(Unsupported):
        superset(re.compile(r"(?:x*)"))  # every match may be empty: nothing to look for
    gate = RuleGate([_rule(r"(a)?(?(1)b|c)"), _rule(r"zz")])
    assert gate.ungated == frozenset({0})
    assert gate.passed(b"nothing") == {0}
    assert gate.passed(b"zz") == {0, 1}


def test_every_builtin_file_rule_has_a_gate() -> None:
    rules, _ = builtin_rules()
    gate = RuleGate(rules)
    assert not gate.ungated


@pytest.mark.parametrize(("rule_id", "text", "value"), CASES, ids=[c[0] for c in CASES])
def test_builtin_gate_passes_each_positive_case(rule_id: str, text: str, value: str) -> None:
    rules, _ = builtin_rules()
    gate = RuleGate(rules)
    index = next(i for i, r in enumerate(rules) if r.id == rule_id)
    assert index in gate.passed(text.encode())


def test_gated_and_ungated_scanners_agree_on_the_positive_cases() -> None:
    gated, plain = SecretScanner(), SecretScanner(gate=False)
    for _, text, _ in CASES:
        data = text.encode()
        assert gated.scan_bytes("app/config.txt", data) == plain.scan_bytes("app/config.txt", data)
