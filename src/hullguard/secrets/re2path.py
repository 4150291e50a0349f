"""Path regexes on RE2 (google-re2) where RE2 gives the same answer as ``re``.

The path-only allow rules are one alternation of ``(?:^|/)dir/(?:[^/]+/)+name``
chains, asked for every file of every layer. ``re`` backtracks through them
(~8 µs a path even with literal anchors); RE2, a DFA, answers in ~2 µs.

RE2 is used only where it provably means the same as Python's ``re``:

- the pattern has ``re.ASCII`` and no other compile flag, is ASCII, and uses
  none of the constructs whose meaning differs (POSIX ``[:classes:]``,
  braces: ``{,n}`` and stray ``{``; ``\\s``/``\\S``: RE2 has no ``\\v``); RE2 refuses Python-only
  syntax (look-arounds, back-references, ``\\Z``) at compile time;
- the path is printable ASCII: ``$`` in ``re`` also matches before a final
  newline, RE2's does not, and case folding differs only outside ASCII.

Anything else goes to :class:`.anchors.Anchored` (``re`` with literal anchors).
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from typing import Any

from hullguard.secrets.anchors import Anchored

try:  # a binary wheel; without it every path regex runs on ``re``
    _re2: Any = importlib.import_module("re2")
except ImportError:  # pragma: no cover - depends on the platform's wheels
    _re2 = None

#: constructs that RE2 accepts with a meaning other than Python's
_DIFFERENT = ("[:", "{", "\\s", "\\S")


def re2_equivalent(regex: re.Pattern[str]) -> Any | None:
    """``regex`` compiled by RE2 when it means the same there, else ``None``."""
    if _re2 is None or regex.flags & ~(re.ASCII | re.UNICODE) != 0:
        return None
    if not regex.flags & re.ASCII or not regex.pattern.isascii():
        return None
    if any(s in regex.pattern for s in _DIFFERENT):
        return None
    options = _re2.Options()
    options.log_errors = False  # a refused pattern is expected, not worth a line on stderr
    try:
        return _re2.compile(regex.pattern, options=options)
    except _re2.error:  # Python-only syntax
        return None


#: a span of a group that did not match, in google-re2's low-level answers
_NO_SPAN = (-1, -1)


def _low_level(compiled: Any) -> Any | None:
    """google-re2's C++ ``RE2::Match`` behind a compiled pattern, when this version
    exposes it: called on the ASCII bytes of a path it skips the wrapper's str
    bookkeeping (2.5x faster per path). ``None``: use the wrapper."""
    anchor = getattr(getattr(getattr(_re2, "_re2", None), "RE2", None), "Anchor", None)
    match = getattr(getattr(compiled, "_regexp", None), "Match", None)
    if anchor is None or match is None:
        return None
    try:
        if match(anchor.UNANCHORED, b"", 0, 0)[0] not in (_NO_SPAN, (0, 0)):
            return None
    except (TypeError, ValueError, IndexError):
        return None
    return match


@dataclass(frozen=True)
class PathRegex:
    """``regex.search(path)``, on RE2 for printable-ASCII paths when equivalent."""

    anchored: Anchored
    re2: Any | None
    #: ``RE2::Match`` of ``re2`` (see :func:`_low_level`)
    match: Any | None = None

    @property
    def regex(self) -> re.Pattern[str]:
        return self.anchored.regex

    def __reduce__(self) -> tuple[Any, tuple[re.Pattern[str]]]:
        return (PathRegex.of, (self.regex,))  # the bound C++ method does not pickle

    @classmethod
    def of(cls, regex: re.Pattern[str]) -> PathRegex:
        compiled = re2_equivalent(regex)
        return cls(Anchored.of(regex), compiled, _low_level(compiled) if compiled else None)

    def search(self, path: str) -> bool:
        if self.re2 is not None and path.isascii() and path.isprintable():
            if self.match is not None:
                raw = path.encode("ascii")
                return bool(
                    self.match(_re2._re2.RE2.Anchor.UNANCHORED, raw, 0, len(raw))[0] != _NO_SPAN
                )
            return self.re2.search(path) is not None
        return self.anchored.search(path)
