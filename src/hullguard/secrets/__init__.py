"""Secret detection: rules, the sans-I/O engine, sensitive paths and a directory scanner.

Typical use (the layer walk calls this for every regular file of every layer)::

    scanner = SecretScanner(config)
    if scanner.wants(path, size, head):
        matches = scanner.scan_bytes(path, data)
    else:
        flagged = scanner.is_sensitive_path(path, None)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hullguard.secrets.config import SecretConfig, parse_config
    from hullguard.secrets.interface import (
        DEFAULT_MAX_FILE_BYTES,
        HEAD_BYTES,
        AllowRule,
        RuleId,
        Scope,
        SecretCategory,
        SecretConfigError,
        SecretMatch,
        SecretRule,
    )
    from hullguard.secrets.scanner import SecretScanner

_WHERE = {
    "SecretConfig": "config",
    "parse_config": "config",
    "DEFAULT_MAX_FILE_BYTES": "interface",
    "HEAD_BYTES": "interface",
    "AllowRule": "interface",
    "RuleId": "interface",
    "Scope": "interface",
    "SecretCategory": "interface",
    "SecretConfigError": "interface",
    "SecretMatch": "interface",
    "SecretRule": "interface",
    "SecretScanner": "scanner",
}


def __getattr__(name: str) -> Any:
    """Lazy attribute access (PEP 562): ``hullguard.secrets.redact`` stays light."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(name)
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


__all__ = [
    "DEFAULT_MAX_FILE_BYTES",
    "HEAD_BYTES",
    "AllowRule",
    "RuleId",
    "Scope",
    "SecretCategory",
    "SecretConfig",
    "SecretConfigError",
    "SecretMatch",
    "SecretRule",
    "SecretScanner",
    "parse_config",
]
