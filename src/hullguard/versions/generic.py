"""The fallback scheme for ecosystems without rules of their own.

Owns the one ordering every scheme agrees on: dot-separated non-negative
integers (an optional leading ``v``), compared numerically with missing parts
as 0 (``1.2`` == ``1.2.0`` < ``1.10``). Anything else is rejected, so an
unknown ecosystem's version is reported as skipped rather than guessed.
"""

from __future__ import annotations

import re
from functools import lru_cache

from hullguard.versions.interface import (
    PARSE_CACHE_SIZE,
    InvalidVersion,
    KeyComparator,
    VersionScheme,
)

_GENERIC = re.compile(r"v?([0-9]+(?:\.[0-9]+)*)", re.ASCII)


@lru_cache(maxsize=PARSE_CACHE_SIZE)
def parse(version: str) -> tuple[int, ...]:
    """Key of a dotted numeric version; raises :class:`InvalidVersion`."""
    match = _GENERIC.fullmatch(version)
    if match is None:
        raise InvalidVersion(
            VersionScheme.GENERIC, version, "only dotted numbers are ordered without a scheme"
        )
    parts = [int(p) for p in match[1].split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


COMPARATOR = KeyComparator(VersionScheme.GENERIC, parse)
