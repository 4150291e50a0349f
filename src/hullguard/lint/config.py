"""The lint section of a hullguard YAML config: ignored rules, trusted registries, threshold.

```yaml
lint:
  ignore: [HGD003, DL3008]
  trusted-registries: [ghcr.io/acme, registry.example.com]
  replace-default-trusted: false
  fail-on: HIGH
```
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from hullguard.lint.interface import LintUsageError, Severity


@dataclass(frozen=True)
class LintConfig:
    """Settings read from YAML; CLI flags are merged on top."""

    ignore: tuple[str, ...] = ()
    trusted: tuple[str, ...] = ()
    replace_default_trusted: bool = False
    fail_on: Severity | None = None


def _str_list(value: object, key: str, source: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise LintUsageError(f"{source}: lint.{key} must be a list of strings")
    return tuple(value)


def parse_config(text: str, source: str) -> LintConfig:
    """Parse the YAML text of a config file (only the ``lint`` section is read)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise LintUsageError(f"{source}: not valid YAML ({exc.__class__.__name__})") from None
    if data is None:
        return LintConfig()
    if not isinstance(data, dict):
        raise LintUsageError(f"{source}: expected a mapping with a 'lint' section")
    section = data.get("lint", {})
    if not isinstance(section, dict):
        raise LintUsageError(f"{source}: 'lint' must be a mapping")
    known = {"ignore", "trusted-registries", "replace-default-trusted", "fail-on"}
    unknown = sorted(set(map(str, section)) - known)
    if unknown:
        raise LintUsageError(
            f"{source}: unknown lint setting(s) {', '.join(unknown)}",
            hint=f"known settings: {', '.join(sorted(known))}",
        )
    fail_on = section.get("fail-on")
    try:
        severity = Severity(str(fail_on).upper()) if fail_on is not None else None
    except ValueError:
        raise LintUsageError(f"{source}: lint.fail-on {fail_on!r} is not a severity") from None
    return LintConfig(
        ignore=_str_list(section.get("ignore"), "ignore", source),
        trusted=_str_list(section.get("trusted-registries"), "trusted-registries", source),
        replace_default_trusted=bool(section.get("replace-default-trusted", False)),
        fail_on=severity,
    )
