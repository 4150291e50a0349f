"""Secret detection: rules, the sans-I/O engine, sensitive paths and a directory scanner.

Typical use (the layer walk calls this for every regular file of every layer)::

    scanner = SecretScanner(config)
    if scanner.wants(path, size, head):
        matches = scanner.scan_bytes(path, data)
    else:
        flagged = scanner.is_sensitive_path(path, None)
"""

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
