"""A slow reference engine: the scanner with its speed-ups switched off.

Keyword offsets come from ``str.find`` over ``text.lower()`` (every
overlapping occurrence of every keyword, as the original pyahocorasick
prefilter reported them), and rule regexes run with plain ``finditer``. The
fast engine must report exactly what this one reports.
"""

from __future__ import annotations

import types

from hullguard.secrets import SecretScanner
from hullguard.secrets.anchors import LOWER, Anchored
from hullguard.secrets.config import SecretConfig
from hullguard.secrets.interface import Scope

MAX_WINDOWS = 512  # scanner._MAX_WINDOWS, restated: a change there must be deliberate


def occurrences(haystack: str, needle: str) -> list[int]:
    """Start offsets of every (overlapping) occurrence."""
    out, i = [], haystack.find(needle)
    while i >= 0:
        out.append(i)
        i = haystack.find(needle, i + 1)
    return out


def reference_candidates(
    scanner: SecretScanner, raw: bytes, scope: Scope
) -> dict[int, list[int] | None]:
    text = raw.translate(LOWER).decode("latin-1")
    found: dict[int, list[int] | None] = {}
    for i, rule in enumerate(scanner.rules):
        if scope not in rule.scopes:
            continue
        if not rule.keywords:
            found[i] = None
            continue
        offsets = [s + len(kw) - 1 for kw in rule.keywords for s in occurrences(text, kw)]
        if offsets:
            whole = rule.multiline or len(offsets) > MAX_WINDOWS
            found[i] = None if whole else sorted(offsets)
    return found


def reference_scanner(config: SecretConfig | None = None) -> SecretScanner:
    ref = SecretScanner(config, gate=False)
    ref._search = tuple(
        (Anchored(r.regex, None), Anchored(r.context, None) if r.context else None)
        for r in ref.rules
    )
    ref._path_allow = tuple(Anchored(a.regex, None) for a in ref._path_allow)
    ref._candidates = types.MethodType(  # type: ignore[method-assign]
        reference_candidates, ref
    )
    return ref
