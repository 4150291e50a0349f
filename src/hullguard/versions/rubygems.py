"""RubyGems versions, ordered as ``Gem::Version#<=>`` does.

Owns a port of rubygems' ``Gem::Version``: the ``correct?`` syntax check,
``-`` read as ``.pre.``, segments split into numbers and letter runs, trailing
zeros dropped from the numeric part and from the pre-release part
(``canonical_segments``), then a segment-wise comparison where a missing
segment counts as 0 and a string sorts before any number.

The key is natively comparable: each run of zeros and the segment after it
fold into one token, ``(0, zeros, text)`` for a string and
``(2, -zeros, number)`` for a number, with ``(1,)`` for the end; that ordering
is exactly "pad with 0, string < number". Checked against Ruby's
``Gem::Version`` (Debian's ruby).
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

_SCHEME = VersionScheme.RUBYGEMS
_PATTERN = re.compile(
    r"\s*([0-9]+(?>\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?)?\s*", re.ASCII
)
_SEGMENT = re.compile(r"[0-9]+|[a-z]+", re.IGNORECASE)
_END = (1,)

GemToken = tuple[object, ...]
GemKey = tuple[GemToken, ...]


def _canonical(text: str) -> list[int | str]:
    segments: list[int | str] = [int(s) if s.isdigit() else s for s in _SEGMENT.findall(text)]
    first_str = next((i for i, s in enumerate(segments) if isinstance(s, str)), len(segments))
    numeric, strings = segments[:first_str], segments[first_str:]
    for part in (numeric, strings):
        while part and part[-1] == 0:
            part.pop()
    return numeric + strings


def pad_zero_key(segments: list[int | str]) -> GemKey:
    """Tuple key for "missing segments are 0, strings sort before numbers"."""
    tokens: list[GemToken] = []
    zeros = 0
    for seg in segments:
        if seg == 0:
            zeros += 1
        elif isinstance(seg, str):
            tokens.append((0, zeros, seg))
            zeros = 0
        else:
            tokens.append((2, -zeros, seg))
            zeros = 0
    tokens.append(_END)
    return tuple(tokens)


@lru_cache(maxsize=PARSE_CACHE_SIZE)
def parse(version: str) -> GemKey:
    """Key of a gem version; raises :class:`InvalidVersion`."""
    match = _PATTERN.fullmatch(version)
    if match is None or match.group(1) is None:
        raise InvalidVersion(_SCHEME, version, "malformed version number string")
    text = match.group(1).replace("-", ".pre.")
    return pad_zero_key(_canonical(text))


COMPARATOR = KeyComparator(_SCHEME, parse)
