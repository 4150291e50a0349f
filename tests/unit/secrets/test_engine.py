"""The engine's contract: prefilter, windows, dedupe, allow rules, redaction, fingerprints."""

from __future__ import annotations

import hashlib

import pytest
from secret_fakes import ALNUM, HEX, fake

from hullguard.errors import UsageError
from hullguard.secrets import HEAD_BYTES, SecretConfigError, SecretScanner, parse_config
from hullguard.secrets.checks import DOCUMENTED_EXAMPLE_NOTE, redact, shannon_entropy
from hullguard.secrets.config import SecretConfig

GHP = "ghp_" + fake(ALNUM, 36, "engine")


def test_redaction_shows_at_most_a_sixth_and_the_length() -> None:
    assert redact(GHP) == f"{GHP[:4]}…[40 chars]"
    assert redact("Xk9mP2vL") == "X…[8 chars]"
    assert redact("abc") == "…[3 chars]"
    assert redact("\nMIIEvQ" + "A" * 40 + "\n").startswith("MIIE…")


def test_fingerprint_is_sha256_of_rule_path_value(scanner: SecretScanner) -> None:
    (m,) = scanner.scan_bytes("srv/app.env.py", f"token = '{GHP}'\n".encode())
    want = hashlib.sha256(f"github-pat\0srv/app.env.py\0{GHP}".encode()).hexdigest()
    assert m.fingerprint == want
    assert (m.line, m.column) == (1, 10)
    again = scanner.scan_bytes("srv/app.env.py", f"\n\n x = '{GHP}'".encode())
    assert again[0].fingerprint == want and (again[0].line, again[0].column) == (3, 7)


def test_entropy() -> None:
    assert shannon_entropy("") == 0.0
    assert shannon_entropy("aaaa") == 0.0
    assert shannon_entropy("abcd") == pytest.approx(2.0)


def test_overlapping_hits_keep_the_more_specific_rule(scanner: SecretScanner) -> None:
    text = f'api_token = "{GHP}"\n'  # generic-secret would also match this value
    assert [m.rule_id for m in scanner.scan_bytes("a.py", text.encode())] == ["github-pat"]


def test_documented_examples_are_reported_with_a_note_unless_allowed() -> None:
    text = b"AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n"
    (m,) = SecretScanner().scan_bytes("run.sh", text)
    assert m.note == DOCUMENTED_EXAMPLE_NOTE
    quiet = SecretScanner(SecretConfig(allow_documented_examples=True))
    assert quiet.scan_bytes("run.sh", text) == []


def _rule_config(extra: str = "") -> SecretConfig:
    return parse_config(
        "rules:\n"
        "  - id: acme-token\n"
        "    category: api-key\n"
        "    title: ACME token\n"
        "    severity: medium\n"
        "    keywords: [acme_]\n"
        "    regex: 'acme_[a-f0-9]{32}'\n" + extra,
        "test.yaml",
    )


def test_user_rule_runs_only_when_its_keyword_occurs() -> None:
    scanner = SecretScanner(_rule_config())
    token = "acme_" + fake(HEX, 32, "acme")
    (m,) = scanner.scan_bytes("x.cfg", f"k = {token}\n".encode())
    assert (m.rule_id, m.severity.value, m.redacted) == ("acme-token", "MEDIUM", redact(token))
    # the regex would match "ACME_..." case-sensitively never; keyword absent -> not even run
    kw_free = SecretScanner(parse_config(
        "rules:\n  - id: any-hex\n    keywords: [zzqq]\n    regex: '[a-f0-9]{32}'\n", "t.yaml"
    ))  # fmt: skip
    assert kw_free.scan_bytes("x", fake(HEX, 32).encode()) == []
    assert kw_free.scan_bytes("x", f"zzqq {fake(HEX, 32)}".encode())[0].rule_id == "any-hex"


def test_keyword_windows_cover_adjacent_lines() -> None:
    rule = "regex: 'marker\\s+(?P<secret>[0-9a-f]{32})'"
    config = parse_config(f"rules:\n  - id: split\n    keywords: [marker]\n    {rule}\n", "t.yaml")
    scanner = SecretScanner(config)
    body = "filler line\n" * 50 + f"marker\n{fake(HEX, 32, 'w')}\n" + "filler\n" * 50
    (m,) = scanner.scan_bytes("x", body.encode())
    assert m.line == 52


def test_disable_and_allow_rules() -> None:
    cfg = _rule_config(
        "disable: [github-pat]\n"
        "allow:\n"
        "  - id: fixtures\n    description: test fixtures\n    paths: ['^fixtures/']\n"
        "  - id: one-value\n    description: a known value\n    regexes: ['^acme_0{32}$']\n"
    )
    scanner = SecretScanner(cfg)
    text = f"{GHP}\nacme_{'0' * 32}\nacme_{fake(HEX, 32, 'z')}\n".encode()
    assert [m.line for m in scanner.scan_bytes("src/x", text)] == [3]
    assert scanner.scan_bytes("fixtures/x", text) == []
    assert scanner.path_allowed("fixtures/x") and not scanner.wants("fixtures/x", 10, b"x")


def test_user_rule_replaces_builtin_with_same_id() -> None:
    cfg = parse_config(
        "rules:\n  - id: github-pat\n    severity: low\n    keywords: [ghp_]\n"
        "    regex: 'ghp_[0-9A-Za-z]{36}'\n",
        "t.yaml",
    )
    scanner = SecretScanner(cfg)
    assert [r.id for r in scanner.rules].count("github-pat") == 1
    assert scanner.scan_bytes("x", GHP.encode())[0].severity.value == "LOW"


def test_wants_skips_binary_unless_sensitive_and_over_cap() -> None:
    scanner = SecretScanner(SecretConfig(max_file_bytes=1000))
    assert scanner.wants("app/main.py", 10, b"print(1)\n")
    assert not scanner.wants("usr/bin/ls", 10, b"\x7fELF\x00\x01")
    assert scanner.wants("certs/client.p12", 10, b"\x30\x82\x00")
    assert not scanner.wants("app/main.py", 1001, b"print(1)\n")
    assert scanner.wants_path("/usr/bin/ls", 1000) and not scanner.wants_path("/app/x", 1001)
    assert not scanner.wants_path("/usr/local/lib/python3.11/site-packages/x/tests/k.pem", 9)
    assert scanner.scan_bytes("app/x.bin", b"\x00" + GHP.encode()) == []
    big = (GHP + "\n").encode() * 40
    assert scanner.scan_bytes("app/big.txt", big) == []
    assert HEAD_BYTES == 8192


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rules: [{id: x}]", "needs an 'id' and a 'regex'"),
        ("rules: [{id: x, regex: '('}]", "invalid regex"),
        ("rules: [{id: x, regex: 'a', severity: huge}]", "unknown value"),
        ("rules: [{id: x, regex: 'a', colour: red}]", "unknown key"),
        ("allow: [{id: a}]", "needs 'paths' or 'regexes'"),
        ("bogus: 1", "unknown key"),
        ("rules: [{id: x, regex: '(a)', secret_group: 3}]", "not a group"),
        ("max_file_bytes: -1", "positive integer"),
        (": : :", "not valid YAML"),
    ],
)
def test_bad_config_is_a_usage_error(text: str, message: str) -> None:
    with pytest.raises(SecretConfigError) as err:
        parse_config(text, "bad.yaml")
    assert message in err.value.diagnostics()
    assert isinstance(err.value, UsageError) and err.value.exit_code == 2
