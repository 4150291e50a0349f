"""Importing gitleaks TOML rule files: RE2 syntax translated, allowlists kept."""

from __future__ import annotations

import re

import pytest
from secret_fakes import ALNUM, fake

from hullguard.secrets import SecretConfigError, SecretScanner
from hullguard.secrets.gitleaks import convert_go_regex, parse_gitleaks_toml

# Rules in the shape of gitleaks' default config (config/gitleaks.toml)
TOML = r"""
title = "custom"

[[rules]]
id = "alibaba-access-key-id"
description = "Alibaba AccessKey ID"
regex = '''\b(LTAI(?i)[a-z0-9]{20})(?:[\x60'"\s;]|\\[nr]|$)'''
entropy = 2
keywords = ["ltai"]

[[rules]]
id = "corp-token"
description = "Internal corp token"
regex = '''corp_[A-Za-z0-9]{30}'''
keywords = ["corp_"]
[[rules.allowlists]]
stopwords = ["corp_00000"]

[[rules]]
id = "pkcs12-file"
description = "PKCS#12 file"
path = '''(?i)(?:^|\/)[^\/]+\.p(?:12|fx)$'''

[allowlist]
description = "global"
paths = ['''(?:^|/)vendor/''']
"""


@pytest.mark.parametrize(
    ("go", "py"),
    [
        (r"LTAI(?i)[a-z]{2}", r"LTAI(?i:[a-z]{2})"),
        (r"(?i)abc", r"(?i)abc"),
        (r"x|a(?i)b|c", r"x|a(?i:b)|(?i:c)"),
        (r"(?:(?i)ab)cd", r"(?:(?i:ab))cd"),
        (r"[(?i)]x", r"[(?i)]x"),
        (r"a\z", r"a\Z"),
        (r"(?<tok>a)", r"(?P<tok>a)"),
        (r"(?<!a)b(?<=b)", r"(?<!a)b(?<=b)"),
    ],
)
def test_convert_go_regex(go: str, py: str) -> None:
    assert convert_go_regex(go) == py
    re.compile(py)


def test_import_and_scan() -> None:
    config, warnings = parse_gitleaks_toml(TOML, "custom.toml")
    assert [r.id for r in config.rules] == ["alibaba-access-key-id", "corp-token"]
    assert any("pkcs12-file" in w for w in warnings)
    scanner = SecretScanner(config)
    ltai = "LTAI" + fake(ALNUM, 20, "gl").lower()
    corp = "corp_" + fake(ALNUM, 30, "corp")
    text = f"a = {ltai}\nb = {corp}\nc = corp_00000{'1' * 25}\n".encode()
    found = [(m.rule_id, m.line) for m in scanner.scan_bytes("src/x.cfg", text)]
    assert found == [("alibaba-access-key-id", 1), ("corp-token", 2)]
    assert scanner.scan_bytes("vendor/x.cfg", text) == []


def test_bad_toml() -> None:
    with pytest.raises(SecretConfigError):
        parse_gitleaks_toml("[[rules]\n", "broken.toml")


def test_ungreedy_flag_is_reported() -> None:
    _, warnings = parse_gitleaks_toml("[[rules]]\nid = 'u'\nregex = '''a(?U)b+'''\n", "u.toml")
    assert warnings and "ungreedy" in warnings[0]
