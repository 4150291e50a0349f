"""Types of the secret scanner: categories, rules, allow rules, matches, errors.

Everything here is a plain value (frozen dataclass, StrEnum, NewType); the engine
that evaluates rules lives in :mod:`hullguard.secrets.scanner`. A secret value is
never stored in any of these types: a :class:`SecretMatch` carries only a
redacted excerpt (first characters and length) and a fingerprint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NewType

from hullguard.errors import UsageError
from hullguard.model.severity import Severity

#: identifier of a secret rule or allow rule, e.g. ``github-pat``
RuleId = NewType("RuleId", str)

#: bytes of a file's head that :meth:`SecretScanner.wants` needs to decide (binary or text)
HEAD_BYTES = 8192

#: default cap on the size of one file whose content is scanned (larger ones are skipped)
DEFAULT_MAX_FILE_BYTES = 8 * 1024 * 1024


class SecretConfigError(UsageError):
    """A secret rule, allow rule or config file is invalid (exit code 2)."""


class SecretCategory(StrEnum):
    """What kind of secret a rule finds; drives the remediation text."""

    CLOUD_KEY = "cloud-key"
    VCS_TOKEN = "vcs-token"
    PRIVATE_KEY = "private-key"
    PASSWORD = "password"
    API_KEY = "api-key"
    TOKEN = "token"
    REGISTRY_TOKEN = "registry-token"
    WEBHOOK = "webhook"
    CONNECTION_STRING = "connection-string"
    SENSITIVE_FILE = "sensitive-file"


class Scope(StrEnum):
    """Where a rule runs: file contents, image config (Env/Labels), build history."""

    FILE = "file"
    CONFIG = "config"
    HISTORY = "history"


ALL_SCOPES: frozenset[Scope] = frozenset(Scope)


class Check(StrEnum):
    """Extra validation of a candidate value (implementations in ``checks.py``)."""

    PEM_BODY = "pem-body"
    JWT = "jwt"
    MIXED_CASE = "mixed-case"
    HAS_DIGIT = "has-digit"
    URL_CREDENTIALS = "url-credentials"
    GENERIC_ASSIGNMENT = "generic-assignment"
    BASE64_USER_PASS = "base64-user-pass"
    NOT_PLACEHOLDER = "not-placeholder"
    NOT_WORD = "not-word"
    ENV_PASSWORD_NAME = "env-password-name"
    ENV_SECRET_NAME = "env-secret-name"


class AllowTarget(StrEnum):
    """What an allow rule's ``regexes`` are matched against."""

    SECRET = "secret"
    MATCH = "match"
    LINE = "line"


@dataclass(frozen=True)
class AllowRule:
    """Suppresses matches: by path, by value (or match/line), or both (AND).

    ``rules`` limits it to some rule ids (empty: every rule). Every built-in
    allow rule says in its ``description`` why the suppressed text is no secret.
    """

    id: RuleId
    description: str
    paths: tuple[re.Pattern[str], ...] = ()
    regexes: tuple[re.Pattern[str], ...] = ()
    target: AllowTarget = AllowTarget.SECRET
    rules: frozenset[str] = frozenset()

    def applies_to(self, rule_id: str) -> bool:
        return not self.rules or rule_id in self.rules

    def allows_path(self, path: str) -> bool:
        """Path-only allow rules (no ``regexes``) that match ``path``."""
        return not self.regexes and any(p.search(path) for p in self.paths)

    def allows(self, path: str, secret: str, match: str, line: str) -> bool:
        if self.paths and not any(p.search(path) for p in self.paths):
            return False
        if not self.regexes:
            return bool(self.paths)
        text = {AllowTarget.SECRET: secret, AllowTarget.MATCH: match, AllowTarget.LINE: line}[
            self.target
        ]
        return any(r.search(text) for r in self.regexes)


@dataclass(frozen=True)
class SecretRule:
    """One detection rule: keyword prefilter, regex, and value checks.

    The regex runs only on inputs whose lowercased text contains one of
    ``keywords`` (a rule without keywords always runs). The secret is the group
    ``secret_group`` (name or number; ``None``: the whole match). With a
    ``context`` regex, the rule searches only ``context_lines`` lines around each
    context hit (e.g. an AWS secret key near an access key id). Unless
    ``multiline`` is set, a match lies within one line of a keyword, and only
    those lines are searched.
    """

    id: RuleId
    category: SecretCategory
    title: str
    severity: Severity
    regex: re.Pattern[str]
    keywords: tuple[str, ...] = ()
    secret_group: str | int | None = None
    entropy: float = 0.0
    checks: tuple[Check, ...] = ()
    path: re.Pattern[str] | None = None
    context: re.Pattern[str] | None = None
    context_lines: int = 0
    multiline: bool = False
    scopes: frozenset[Scope] = ALL_SCOPES
    allow: tuple[AllowRule, ...] = ()
    origin: str = "builtin"


@dataclass(frozen=True, order=True)
class SecretMatch:
    """One secret found. Never holds the value: only ``redacted`` and ``fingerprint``.

    ``path`` is the file path (or ``config:Env``, ``history`` ...), ``line`` and
    ``column`` are 1-based (0 for a whole-file finding such as a sensitive path).
    ``fingerprint`` is ``sha256(rule_id NUL path NUL value)`` in hex, stable
    across runs and usable in an ignore file. Field order is the sort order.
    """

    path: str
    line: int
    column: int
    rule_id: RuleId
    category: SecretCategory = field(compare=False)
    severity: Severity = field(compare=False)
    title: str = field(compare=False)
    redacted: str = field(compare=False)
    fingerprint: str
    length: int = field(default=0, compare=False)
    note: str = field(default="", compare=False)
