"""Mask secret-looking values in build commands before anything prints them.

Build history lines carry build arguments (``|2 NPM_TOKEN=abc MODE=x /bin/sh
-c ...``), inline credentials (``curl -u user:pass``, ``https://user:pass@host``)
and ``KEY=value`` assignments. Reports show the command so a reader can find the
build step, never the values: each is cut to its first characters plus its length.
"""

from __future__ import annotations

import re

_BUILD_ARGS = re.compile(r"^\|(\d+)((?:\s+[A-Za-z_][A-Za-z0-9_]*=\S*)+)")
_ASSIGN = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=(\S+)")
_SECRETISH = re.compile(r"(?i)(pass|pwd|secret|token|key|auth|cred|private|cookie|session)")
_URL_CREDS = re.compile(r"(?i)([a-z][a-z0-9+.-]*://[^/\s:@]+:)([^@\s/]+)(@)")
_CURL_USER = re.compile(r"((?:-u|--user)\s+[^\s:]+:)(\S+)")
_PASS_FLAG = re.compile(r"(?i)(--?(?:password|passwd|token|secret)[= ])(\S+)")


def mask(value: str) -> str:
    """First characters and the length only (never more than a sixth of the value).

    An already masked value (``ab…[12`` as a regex sees it) is returned unchanged, so
    redacting twice gives the same text as redacting once.
    """
    if "…[" in value:
        return value
    keep = min(4, len(value) // 6)
    return f"{value[:keep]}…[{len(value)} chars]"


def redact_command(text: str) -> str:
    """``created_by`` with build-argument values and inline credentials masked."""
    if not text:
        return text

    def args(match: re.Match[str]) -> str:
        masked = _ASSIGN.sub(lambda m: f"{m.group(1)}={mask(m.group(2))}", match.group(2))
        return f"|{match.group(1)}{masked}"

    out = _BUILD_ARGS.sub(args, text)
    out = _URL_CREDS.sub(lambda m: m.group(1) + mask(m.group(2)) + m.group(3), out)
    out = _CURL_USER.sub(lambda m: m.group(1) + mask(m.group(2)), out)
    out = _PASS_FLAG.sub(lambda m: m.group(1) + mask(m.group(2)), out)
    return _ASSIGN.sub(
        lambda m: (
            f"{m.group(1)}={mask(m.group(2))}"
            if _SECRETISH.search(m.group(1))
            and not m.group(2).startswith("$")
            and "…[" not in m.group(2)
            else m.group(0)
        ),
        out,
    )
