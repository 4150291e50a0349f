"""Secret rule configuration: the built-in rule file and users' ``--secret-config``.

A config (YAML) has ``rules:`` (added or replacing rules, same schema as the
built-in file), ``disable:`` (rule or allow-rule ids), ``allow:`` (allow rules),
and options ``allow_documented_examples`` and ``max_file_bytes``. Parsing is
sans-I/O: callers pass the bytes and a name for messages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hullguard.model.severity import Severity
from hullguard.secrets.interface import (
    ALL_SCOPES,
    DEFAULT_MAX_FILE_BYTES,
    AllowRule,
    AllowTarget,
    Check,
    RuleId,
    Scope,
    SecretCategory,
    SecretConfigError,
    SecretRule,
)

_RULE_KEYS = {
    "id", "category", "title", "description", "severity", "keywords", "regex", "secret_group",
    "entropy", "checks", "path", "context", "context_lines", "multiline", "scopes", "allow",
}  # fmt: skip
_ALLOW_KEYS = {"id", "description", "paths", "regexes", "target", "rules"}
_CONFIG_KEYS = {"rules", "disable", "allow", "allow_documented_examples", "max_file_bytes"}


@dataclass(frozen=True)
class SecretConfig:
    """A parsed secret config: what to add, disable and allow on top of the built-ins."""

    rules: tuple[SecretRule, ...] = ()
    disable: frozenset[str] = frozenset()
    allow: tuple[AllowRule, ...] = ()
    allow_documented_examples: bool = False
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    sources: tuple[str, ...] = field(default=())


def compile_regex(pattern: str, where: str) -> re.Pattern[str]:
    """Compile with ``re.ASCII``; a bad pattern raises :class:`SecretConfigError`."""
    try:
        return re.compile(pattern, re.ASCII)
    except re.error as exc:
        raise SecretConfigError(
            f"{where}: invalid regex {pattern!r}: {exc}",
            hint="patterns use Python `re` syntax; fix or remove the rule",
        ) from None


def _enum(cls: Any, value: Any, where: str) -> Any:
    try:
        return cls(str(value).lower() if cls is not Severity else str(value).upper())
    except ValueError:
        valid = ", ".join(v.value for v in cls)
        raise SecretConfigError(
            f"{where}: unknown value {value!r}", hint=f"use one of: {valid}"
        ) from None


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise SecretConfigError(f"{where}: expected a string or a list of strings")


def _mapping(value: Any, where: str, allowed: set[str]) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise SecretConfigError(f"{where}: expected a mapping, got {type(value).__name__}")
    unknown = set(value) - allowed
    if unknown:
        raise SecretConfigError(
            f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}",
            hint=f"allowed keys: {', '.join(sorted(allowed))}",
        )
    return value


def parse_allow(raw: Any, where: str) -> AllowRule:
    """One allow rule from its mapping form."""
    data = _mapping(raw, where, _ALLOW_KEYS)
    rid = str(data.get("id") or "")
    if not rid:
        raise SecretConfigError(f"{where}: an allow rule needs an 'id'")
    where = f"{where} ({rid})"
    paths = tuple(compile_regex(p, where) for p in _strings(data.get("paths"), where))
    regexes = tuple(compile_regex(p, where) for p in _strings(data.get("regexes"), where))
    if not paths and not regexes:
        raise SecretConfigError(f"{where}: an allow rule needs 'paths' or 'regexes'")
    return AllowRule(
        id=RuleId(rid),
        description=str(data.get("description") or ""),
        paths=paths,
        regexes=regexes,
        target=_enum(AllowTarget, data.get("target", "secret"), where),
        rules=frozenset(_strings(data.get("rules"), where)),
    )


def _secret_group(regex: re.Pattern[str], raw: Any, where: str) -> str | int | None:
    if raw is None:
        return "secret" if "secret" in regex.groupindex else None
    if isinstance(raw, int) and 0 <= raw <= regex.groups:
        return raw
    if isinstance(raw, str) and raw in regex.groupindex:
        return raw
    raise SecretConfigError(f"{where}: secret_group {raw!r} is not a group of the regex")


def parse_rule(raw: Any, where: str, origin: str) -> SecretRule:
    """One rule from its mapping form (the schema of ``builtin.yaml``)."""
    data = _mapping(raw, where, _RULE_KEYS)
    rid = str(data.get("id") or "")
    if not rid or "regex" not in data:
        raise SecretConfigError(f"{where}: a rule needs an 'id' and a 'regex'")
    where = f"{where} ({rid})"
    regex = compile_regex(str(data["regex"]), where)
    context = data.get("context")
    path = data.get("path")
    try:
        entropy = float(data.get("entropy", 0.0))
        context_lines = int(data.get("context_lines", 0))
    except (TypeError, ValueError):
        raise SecretConfigError(f"{where}: 'entropy' and 'context_lines' must be numbers") from None
    scopes = _strings(data.get("scopes"), where)
    return SecretRule(
        id=RuleId(rid),
        category=_enum(SecretCategory, data.get("category", "api-key"), where),
        title=str(data.get("title") or data.get("description") or rid),
        severity=_enum(Severity, data.get("severity", "HIGH"), where),
        regex=regex,
        keywords=tuple(k.lower() for k in _strings(data.get("keywords"), where)),
        secret_group=_secret_group(regex, data.get("secret_group"), where),
        entropy=entropy,
        checks=tuple(_enum(Check, c, where) for c in _strings(data.get("checks"), where)),
        path=compile_regex(str(path), where) if path else None,
        context=compile_regex(str(context), where) if context else None,
        context_lines=context_lines,
        multiline=bool(data.get("multiline", False)),
        scopes=frozenset(_enum(Scope, s, where) for s in scopes) if scopes else ALL_SCOPES,
        allow=tuple(
            parse_allow({"id": f"{rid}-allow-{i}", **a}, f"{where} allow[{i}]")
            for i, a in enumerate(data.get("allow") or [])
        ),
        origin=origin,
    )


def _load_yaml(text: bytes | str, source: str) -> Mapping[str, Any]:
    # imported here: PyYAML is ~20 ms to import, and scans without secrets never load rules
    import yaml

    # libyaml's safe loader when PyYAML was built with it (~20x faster on builtin.yaml)
    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise SecretConfigError(f"{source}: not valid YAML: {exc}") from None
    if data is None:
        return {}
    return _mapping(data, source, _CONFIG_KEYS)


def parse_config(text: bytes | str, source: str) -> SecretConfig:
    """Parse a user's secret config file (YAML)."""
    data = _load_yaml(text, source)
    rules = tuple(
        parse_rule(r, f"{source}: rules[{i}]", source) for i, r in enumerate(_list(data, "rules"))
    )
    allow = tuple(
        parse_allow(a, f"{source}: allow[{i}]") for i, a in enumerate(_list(data, "allow"))
    )
    cap = data.get("max_file_bytes", DEFAULT_MAX_FILE_BYTES)
    if not isinstance(cap, int) or cap <= 0:
        raise SecretConfigError(f"{source}: max_file_bytes must be a positive integer")
    return SecretConfig(
        rules=rules,
        disable=frozenset(_strings(data.get("disable"), f"{source}: disable")),
        allow=allow,
        allow_documented_examples=bool(data.get("allow_documented_examples", False)),
        max_file_bytes=cap,
        sources=(source,),
    )


def _list(data: Mapping[str, Any], key: str) -> Sequence[Any]:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise SecretConfigError(f"'{key}' must be a list")
    return value


def builtin_rules() -> tuple[tuple[SecretRule, ...], tuple[AllowRule, ...]]:
    """The rules and allow rules shipped in ``rules/builtin.yaml``."""
    from hullguard.secrets import compiled

    # the JSON form made from this very YAML when there is one (no PyYAML import)
    known = compiled.rules_data()
    data = (
        _mapping(known, "builtin.yaml", _CONFIG_KEYS)
        if known is not None
        else _load_yaml(compiled.yaml_bytes(), "builtin.yaml")
    )
    rules = tuple(
        parse_rule(r, f"builtin.yaml: rules[{i}]", "builtin")
        for i, r in enumerate(_list(data, "rules"))
    )
    allow = tuple(
        parse_allow(a, f"builtin.yaml: allow[{i}]") for i, a in enumerate(_list(data, "allow"))
    )
    return rules, allow


def merge(base: SecretConfig, extra: SecretConfig) -> SecretConfig:
    """Combine two configs (e.g. a YAML file and an imported gitleaks file)."""
    return SecretConfig(
        rules=base.rules + extra.rules,
        disable=base.disable | extra.disable,
        allow=base.allow + extra.allow,
        allow_documented_examples=base.allow_documented_examples or extra.allow_documented_examples,
        max_file_bytes=min(base.max_file_bytes, extra.max_file_bytes),
        sources=base.sources + extra.sources,
    )
