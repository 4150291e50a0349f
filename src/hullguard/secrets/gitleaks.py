"""Import a gitleaks TOML rule file as a hullguard secret config.

gitleaks rules use Go RE2 syntax; the differences that matter for its rule
files are translated: inline flags in the middle of a pattern (``LTAI(?i)[a-z]``,
an error in Python 3.11) become scoped groups, ``\\z`` becomes ``\\Z`` and
``(?<name>`` becomes ``(?P<name>``. Rules that still do not compile, and
path-only rules (which hullguard covers with its sensitive-file checks), are
skipped and listed in the returned warnings.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from typing import Any

from hullguard.model.severity import Severity
from hullguard.secrets.config import SecretConfig, compile_regex
from hullguard.secrets.interface import (
    ALL_SCOPES,
    AllowRule,
    AllowTarget,
    RuleId,
    SecretCategory,
    SecretConfigError,
    SecretRule,
)

_INLINE_FLAGS = re.compile(r"\(\?([a-zA-Z]+)\)")
_CATEGORY_HINTS: tuple[tuple[str, SecretCategory], ...] = (
    ("private-key", SecretCategory.PRIVATE_KEY),
    ("aws|gcp|azure|alibaba|digitalocean|yandex", SecretCategory.CLOUD_KEY),
    ("github|gitlab|bitbucket|gitea", SecretCategory.VCS_TOKEN),
    ("npm|pypi|rubygems|nuget|docker|jfrog|artifactory", SecretCategory.REGISTRY_TOKEN),
    ("password|passwd", SecretCategory.PASSWORD),
    ("webhook", SecretCategory.WEBHOOK),
    ("token", SecretCategory.TOKEN),
)


def _scan_groups(pattern: str) -> tuple[int, str] | None:
    """Position and flags of the first mid-pattern inline flag group ``(?i)``."""
    i, in_class, class_start = 0, False, -1
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            if c == "]" and i > class_start + 1 and pattern[class_start + 1 : i] != "^":
                in_class = False
        elif c == "[":
            in_class, class_start = True, i
        elif c == "(":
            m = _INLINE_FLAGS.match(pattern, i)
            if m and i > 0:
                return i, m.group(1)
        i += 1
    return None


def _group_rest(pattern: str, start: int) -> tuple[int, list[int]]:
    """End of the group enclosing ``start`` and the top-level ``|`` positions before it."""
    bars: list[int] = []
    depth, i, in_class, class_start = 0, start, False, -1
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            if c == "]" and i > class_start + 1 and pattern[class_start + 1 : i] != "^":
                in_class = False
        elif c == "[":
            in_class, class_start = True, i
        elif c == "(":
            depth += 1
        elif c == ")":
            if depth == 0:
                return i, bars
            depth -= 1
        elif c == "|" and depth == 0:
            bars.append(i)
        i += 1
    return len(pattern), bars


def convert_go_regex(pattern: str) -> str:
    """Rewrite RE2-only syntax of gitleaks patterns into Python ``re`` syntax."""
    pattern = pattern.replace(r"\z", r"\Z").replace("(?<", "(?P<").replace("(?P<=", "(?<=")
    pattern = pattern.replace("(?P<!", "(?<!")
    for _ in range(64):
        found = _scan_groups(pattern)
        if found is None:
            return pattern
        pos, flags = found
        if "U" in flags:
            raise SecretConfigError(f"ungreedy flag (?U) is not supported: {pattern!r}")
        body = pos + len(flags) + 3
        end, bars = _group_rest(pattern, body)
        cuts = [body, *[b + 1 for b in bars]]
        stops = [*bars, end]
        parts = [f"(?{flags}:{pattern[a:b]})" for a, b in zip(cuts, stops, strict=True)]
        pattern = pattern[:pos] + "|".join(parts) + pattern[end:]
    raise SecretConfigError(f"too many inline flags in {pattern!r}")


def _category(rule_id: str) -> SecretCategory:
    for hint, category in _CATEGORY_HINTS:
        if re.search(hint, rule_id):
            return category
    return SecretCategory.API_KEY


def _allowlists(raw: Any, prefix: str, rules: frozenset[str], where: str) -> list[AllowRule]:
    items = raw if isinstance(raw, list) else [raw] if isinstance(raw, dict) else []
    out: list[AllowRule] = []
    for n, item in enumerate(items):
        if not isinstance(item, Mapping):
            continue
        target = {"match": AllowTarget.MATCH, "line": AllowTarget.LINE}.get(
            str(item.get("regexTarget", "secret")), AllowTarget.SECRET
        )
        paths = tuple(compile_regex(convert_go_regex(p), where) for p in item.get("paths", []))
        regexes = [compile_regex(convert_go_regex(p), where) for p in item.get("regexes", [])]
        stop = [str(s) for s in item.get("stopwords", [])]
        desc = str(item.get("description") or f"imported from {where}")
        aid = f"{prefix}-{n}"
        rules = frozenset(map(str, item.get("targetRules", []))) or rules
        sw = (compile_regex("(?i)" + "|".join(map(re.escape, stop)), where),) if stop else ()
        if str(item.get("condition", "OR")).upper() in {"AND", "&&"} and paths and regexes:
            out.append(AllowRule(RuleId(aid), desc, paths, tuple(regexes), target, rules))
        else:
            if paths:
                out.append(AllowRule(RuleId(f"{aid}-paths"), desc, paths, (), target, rules))
            if regexes:
                out.append(AllowRule(RuleId(f"{aid}-re"), desc, (), tuple(regexes), target, rules))
        if sw:
            out.append(AllowRule(RuleId(f"{aid}-stopwords"), desc, (), sw, target, rules))
    return out


def _rule(raw: Mapping[str, Any], where: str) -> SecretRule:
    rid = str(raw["id"])
    pattern = convert_go_regex(str(raw["regex"]))
    regex = compile_regex(pattern, f"{where} ({rid})")
    group = int(raw.get("secretGroup", 0) or 0)
    multiline = any(t in pattern for t in (r"[\s\S]", "(?s", r"\n", r"\r"))
    path = raw.get("path")
    return SecretRule(
        id=RuleId(rid),
        category=_category(rid),
        title=str(raw.get("description") or rid),
        severity=Severity.HIGH,
        regex=regex,
        keywords=tuple(str(k).lower() for k in raw.get("keywords", [])),
        secret_group=group if group else (1 if regex.groups >= 1 else None),
        entropy=float(raw.get("entropy", 0.0) or 0.0),
        path=compile_regex(convert_go_regex(str(path)), where) if path else None,
        multiline=multiline,
        scopes=ALL_SCOPES,
        allow=tuple(
            _allowlists(
                raw.get("allowlists", raw.get("allowlist")), f"{rid}-allow", frozenset(), where
            )
        ),
        origin=where,
    )


def parse_gitleaks_toml(text: bytes | str, source: str) -> tuple[SecretConfig, list[str]]:
    """A :class:`SecretConfig` from a gitleaks config, and warnings for skipped rules."""
    try:
        data = tomllib.loads(text.decode() if isinstance(text, bytes) else text)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SecretConfigError(f"{source}: not a valid TOML file: {exc}") from None
    rules: list[SecretRule] = []
    warnings: list[str] = []
    for i, raw in enumerate(data.get("rules", [])):
        rid = raw.get("id", f"#{i}") if isinstance(raw, dict) else f"#{i}"
        if not isinstance(raw, dict) or "id" not in raw or not raw.get("regex"):
            warnings.append(
                f"{source}: rule {rid} skipped (no regex; path-only rules are not imported)"
            )
            continue
        try:
            rules.append(_rule(raw, source))
        except SecretConfigError as exc:
            warnings.append(f"skipped: {exc.diagnostics()}")
    allow = [
        a
        for key in ("allowlist", "allowlists")
        for a in _allowlists(data.get(key), f"gitleaks-{key}", frozenset(), source)
    ]
    return SecretConfig(rules=tuple(rules), allow=tuple(allow), sources=(source,)), warnings
