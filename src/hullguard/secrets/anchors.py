"""Literal anchors of a rule regex: the strings every match must start with.

``re`` finds matches of a pattern that starts with look-arounds or a
case-insensitive alternation (the generic assignment rules) by trying the
pattern at every position of the text, at ~10 MB/s. When every match must
begin with one of a few literals (``secret``, ``token``, ``api`` ...), the
engine instead finds those literals with ``bytes.find`` (C speed) and tries the
pattern only there, reproducing ``finditer`` exactly: same positions tried in
the same order, the same non-overlapping resumption after a match.

The analysis walks the parsed pattern (``re._parser``); anything it does not
understand ends the anchor, and a pattern without one keeps the plain search.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

try:  # private to CPython; without it every rule simply falls back to a plain search
    _parser: Any = importlib.import_module("re._parser")
    _c: Any = importlib.import_module("re._constants")
except ImportError:  # pragma: no cover - depends on the Python build
    _parser = None
    _c = None

#: longest anchor worth building (longer ones only add search work)
_MAX_LEN = 8
#: most anchors per pattern (more alternatives: not worth it)
_MAX_ANCHORS = 32
#: shortest anchor that skips enough positions to pay off
_MIN_LEN = 2
_ZERO_WIDTH = {_c.AT, _c.ASSERT, _c.ASSERT_NOT}

#: ``str.lower()`` of each latin-1 character, for ``bytes.translate`` (same length)
LOWER = bytes(ord(chr(b).lower()) for b in range(256))


def _zero_width(item: tuple[Any, Any], state: Any) -> bool:
    if item[0] in _ZERO_WIDTH:
        return True
    return bool(_parser.SubPattern(state, [item]).getwidth() == (0, 0))


def _prefixes(seq: Sequence[tuple[Any, Any]], budget: int, state: Any) -> set[str]:
    """Strings (lowercased) one of which starts every match of ``seq``; ``""`` if unknown."""
    if not seq or budget == 0:
        return {""}
    (op, av), rest = seq[0], list(seq[1:])
    if _zero_width(seq[0], state):
        return _prefixes(rest, budget, state)
    if op is _c.LITERAL and av < 128:
        return {chr(av).lower() + s for s in _prefixes(rest, budget - 1, state)}
    if op is _c.SUBPATTERN:
        return _prefixes(list(av[3]) + rest, budget, state)
    if op is _c.BRANCH:
        out: set[str] = set()
        for alt in av[1]:
            out |= _prefixes(list(alt) + rest, budget, state)
            if len(out) > _MAX_ANCHORS:
                return {""}
        return out
    return {""}


def anchors(pattern: re.Pattern[str]) -> tuple[bytes, ...] | None:
    """Lowercased literals one of which starts every match of ``pattern``, or ``None``."""
    if _parser is None:
        return None
    try:
        parsed = _parser.parse(pattern.pattern, pattern.flags)
        found = _prefixes(list(parsed.data), _MAX_LEN, parsed.state)
    except (RecursionError, re.error, TypeError, AttributeError, IndexError):
        return None
    if not found or any(len(s) < _MIN_LEN for s in found):
        return None
    # "pass" covers "password": keep only the shortest of nested anchors
    kept = sorted(s for s in found if not any(o != s and s.startswith(o) for o in found))
    return tuple(s.encode("ascii") for s in kept)


def anchor_positions(lowered: bytes, literals: Sequence[bytes], lo: int, hi: int) -> list[int]:
    """Sorted start offsets in ``[lo, hi)`` of every (overlapping) occurrence of ``literals``
    lying wholly inside that range."""
    found: set[int] = set()
    for lit in literals:
        i = lowered.find(lit, lo, hi)
        while i >= 0:
            found.add(i)
            i = lowered.find(lit, i + 1, hi)
    return sorted(found)


class LiteralSearch(Protocol):
    """A native search for :func:`anchor_positions` over raw (not lowered) bytes, in
    each of several windows; ``None`` when it cannot handle ``literals``."""

    def __call__(
        self, raw: bytes, literals: tuple[bytes, ...], windows: Sequence[tuple[int, int]]
    ) -> list[list[int]] | None: ...


class Lowered:
    """An input through :data:`LOWER`, lowered only where it is searched.

    Anchors are found by ``search`` (hyperscan, case-insensitive, over the raw
    bytes) when given; else in small windows around keyword hits lowered one by
    one, and the whole input only when a window is a large part of it (then
    once, and kept).
    """

    __slots__ = ("_full", "raw", "search")

    def __init__(
        self, raw: bytes, full: bytes | None = None, search: LiteralSearch | None = None
    ) -> None:
        self.raw = raw
        self._full = full
        self.search = search

    def positions_many(
        self, literals: tuple[bytes, ...], windows: Sequence[tuple[int, int]]
    ) -> list[list[int]]:
        """:meth:`positions` for each of ``windows``."""
        if self.search is not None:
            found = self.search(self.raw, literals, windows)
            if found is not None:
                return found
        return [self.positions(literals, lo, hi) for lo, hi in windows]

    def positions(self, literals: tuple[bytes, ...], lo: int, hi: int) -> list[int]:
        """:func:`anchor_positions` over the lowered input."""
        if self.search is not None:
            found = self.search(self.raw, literals, ((lo, hi),))
            if found is not None:
                return found[0]
        if self._full is None and (hi - lo) * 4 < len(self.raw):
            part = self.raw[lo:hi].translate(LOWER)
            return [lo + i for i in anchor_positions(part, literals, 0, len(part))]
        if self._full is None:
            self._full = self.raw.translate(LOWER)
        return anchor_positions(self._full, literals, lo, hi)


@dataclass(frozen=True)
class Anchored:
    """A pattern and its anchors (``None``: searched the plain way)."""

    regex: re.Pattern[str]
    literals: tuple[bytes, ...] | None
    #: ``literals`` as str, for :meth:`search`
    words: tuple[str, ...] = ()

    @classmethod
    def of(cls, regex: re.Pattern[str]) -> Anchored:
        found = anchors(regex)
        return cls(regex, found, tuple(lit.decode("ascii") for lit in found or ()))

    def finditer(
        self, text: str, lowered: bytes | Lowered, lo: int, hi: int
    ) -> Iterator[re.Match[str]]:
        """Exactly ``regex.finditer(text, lo, hi)``; ``lowered`` is ``text`` lowercased, as
        latin-1 bytes (same offsets), or a :class:`Lowered` over its latin-1 bytes."""
        if self.literals is None:
            return self.regex.finditer(text, lo, hi)
        if isinstance(lowered, bytes):
            lowered = Lowered(lowered, lowered)
        return _finditer_at(self.regex, text, lowered.positions(self.literals, lo, hi), hi)

    def finditer_windows(
        self, text: str, lowered: Lowered, windows: Sequence[tuple[int, int]]
    ) -> Iterator[re.Match[str]]:
        """:meth:`finditer` over each of ``windows`` in turn (anchors found in one batch)."""
        if self.literals is None:
            for lo, hi in windows:
                yield from self.regex.finditer(text, lo, hi)
            return
        for (_lo, hi), positions in zip(
            windows, lowered.positions_many(self.literals, windows), strict=True
        ):
            yield from _finditer_at(self.regex, text, positions, hi)

    def search(self, text: str) -> bool:
        """Whether ``regex.search(text)`` finds a match (for short texts such as paths).

        With ``re.ASCII`` a case-insensitive ASCII literal is in ``text.lower()``
        wherever it matched, so the pattern is tried only where an anchor starts.
        """
        if self.literals is None or not self.regex.flags & re.ASCII:
            return self.regex.search(text) is not None
        low = text.lower()
        if len(low) != len(text):  # a non-latin-1 character lengthened: offsets differ
            return self.regex.search(text) is not None
        match = self.regex.match
        for lit in self.words:
            i = low.find(lit)
            while i >= 0:
                if match(text, i) is not None:
                    return True
                i = low.find(lit, i + 1)
        return False


def _finditer_at(
    regex: re.Pattern[str], text: str, positions: Sequence[int], hi: int
) -> Iterator[re.Match[str]]:
    """``regex.finditer(text, lo, hi)`` when every match starts at one of ``positions``.

    ``re`` tries a pattern at each offset left to right and resumes at the end
    of a match; offsets that cannot start a match are skipped here. Patterns
    with anchors never match the empty string, so a match always advances.
    """
    resume = 0
    for pos in positions:
        if pos < resume:
            continue
        m = regex.match(text, pos, hi)
        if m is not None:
            resume = m.end()
            yield m
