"""The keyword prefilter: every (overlapping) occurrence of every rule keyword in a file.

Two implementations report exactly the same hits (keyword index, end offset),
case-insensitively with ``str.lower()`` semantics over latin-1:

- **hyperscan** (Intel's SIMD multi-literal matcher, ``hyperscan`` wheel): scans
  the raw bytes with ASCII case folding (~1 GB/s), no lowered copy. Used when
  every keyword is ASCII: no latin-1 character outside ASCII lowercases to an
  ASCII one, so ASCII folding finds the same occurrences.
- **ahocorasick** (ahocorasick-rs DFA, overlapping mode) over the bytes mapped
  through :data:`.anchors.LOWER`: for non-ASCII keywords from a user config,
  or where the hyperscan wheel is missing.

Compiled databases are not picklable: :class:`KeywordIndex` objects are built
where they are used (see ``SecretScanner.__getstate__``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

import ahocorasick_rs

from hullguard.secrets.anchors import LOWER
from hullguard.secrets.interface import Scope, SecretRule

try:  # a binary wheel; without it the Aho-Corasick automaton does the same job, slower
    _hs: Any = importlib.import_module("hyperscan")
except ImportError:  # pragma: no cover - depends on the platform's wheels
    _hs = None


class PrefilterKind(StrEnum):
    HYPERSCAN = "hyperscan"
    AHOCORASICK = "ahocorasick"


class KeywordIndex(Protocol):
    def hits(self, raw: bytes) -> list[tuple[int, int]]:
        """(keyword index, end offset) of every overlapping occurrence, any order."""
        ...


class HyperscanIndex:
    """ASCII keywords, caseless, over the raw bytes (block mode, one scratch)."""

    def __init__(self, keywords: Sequence[bytes]) -> None:
        self.db = _hs.Database()
        self.db.compile(
            expressions=list(keywords),
            ids=list(range(len(keywords))),
            elements=len(keywords),
            flags=_hs.HS_FLAG_CASELESS,
            literal=True,
        )
        self.scratch = _hs.Scratch(self.db)

    def hits(self, raw: bytes) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        add = out.append

        def on_match(kw: int, _start: int, end: int, _flags: int, _ctx: object) -> None:
            add((kw, end))

        self.db.scan(raw, match_event_handler=on_match, scratch=self.scratch)
        return out


class AhoCorasickIndex:
    """Any latin-1 keywords, over a lowered copy of the bytes."""

    def __init__(self, keywords: Sequence[bytes]) -> None:
        self._ac = ahocorasick_rs.BytesAhoCorasick(
            list(keywords), implementation=ahocorasick_rs.Implementation.DFA
        )

    def hits(self, raw: bytes) -> list[tuple[int, int]]:
        found = self._ac.find_matches_as_indexes(raw.translate(LOWER), overlapping=True)
        return [(kw, end) for kw, _start, end in found]


class HyperscanLiterals:
    """Start offsets of ASCII literals, caseless, in a slice of raw bytes."""

    def __init__(self, literals: Sequence[bytes]) -> None:
        self._index = HyperscanIndex(literals)
        self._lengths = tuple(len(lit) for lit in literals)

    def positions_many(self, raw: bytes, windows: Sequence[tuple[int, int]]) -> list[list[int]]:
        """Sorted start offsets of the literals lying wholly inside each window."""
        lengths = self._lengths
        found: set[int] = set()
        add = found.add

        def on_match(kw: int, _start: int, end: int, _flags: int, _ctx: object) -> None:
            add(end - lengths[kw])

        scan, scratch, size = self._index.db.scan, self._index.scratch, len(raw)
        out: list[list[int]] = []
        for lo, hi in windows:
            scan(raw if lo == 0 and hi >= size else raw[lo:hi], on_match, scratch=scratch)
            out.append(sorted(lo + p for p in found) if found else [])
            found.clear()
        return out


class LiteralFinders:
    """:class:`.anchors.LiteralSearch` on hyperscan: one database per literal set,
    compiled on first use (a run needs the anchors of a few rules only)."""

    def __init__(self) -> None:
        self._by: dict[tuple[bytes, ...], HyperscanLiterals | None] = {}

    def __call__(
        self, raw: bytes, literals: tuple[bytes, ...], windows: Sequence[tuple[int, int]]
    ) -> list[list[int]] | None:
        if literals not in self._by:
            fits = _fits_hyperscan(literals) and all(lit == lit.lower() for lit in literals)
            self._by[literals] = HyperscanLiterals(literals) if fits else None
        finder = self._by[literals]
        return None if finder is None else finder.positions_many(raw, windows)


def literal_search() -> LiteralFinders | None:
    """The native anchor search, when hyperscan is installed."""
    return LiteralFinders() if _hs is not None else None


def available() -> tuple[PrefilterKind, ...]:
    """The implementations this installation can build, fastest first."""
    if _hs is None:  # pragma: no cover - depends on the platform's wheels
        return (PrefilterKind.AHOCORASICK,)
    return (PrefilterKind.HYPERSCAN, PrefilterKind.AHOCORASICK)


def _fits_hyperscan(keywords: Sequence[bytes]) -> bool:
    return _hs is not None and all(kw and kw.isascii() for kw in keywords)


BUILDERS: dict[PrefilterKind, Callable[[Sequence[bytes]], KeywordIndex]] = {
    PrefilterKind.HYPERSCAN: HyperscanIndex,
    PrefilterKind.AHOCORASICK: AhoCorasickIndex,
}


def choose(keywords: Sequence[bytes], wanted: PrefilterKind | None = None) -> PrefilterKind:
    """``wanted`` if it can index ``keywords`` (lowercased), else the fastest that can."""
    if wanted is PrefilterKind.AHOCORASICK or not _fits_hyperscan(keywords):
        return PrefilterKind.AHOCORASICK
    return PrefilterKind.HYPERSCAN


def build(keywords: Sequence[bytes], wanted: PrefilterKind | None = None) -> KeywordIndex:
    """An index over ``keywords`` (lowercased latin-1 bytes, distinct, non-empty)."""
    return BUILDERS[choose(keywords, wanted)](keywords)


#: past this many keyword hits in one input, a rule searches the whole text instead
MAX_WINDOWS = 512
#: the keyword index for the short texts of the config and history scopes (builds in
#: 1 ms where hyperscan takes 15)
SHORT_TEXTS = PrefilterKind.AHOCORASICK


@dataclass(frozen=True)
class RulePrefilter:
    """The keyword index of one scope: which rules each keyword stands for."""

    index: KeywordIndex | None
    rules_of: tuple[tuple[int, ...], ...]
    always: tuple[int, ...]

    @classmethod
    def of(
        cls, rules: Sequence[SecretRule], scope: Scope, kind: PrefilterKind | None = None
    ) -> RulePrefilter:
        """One index over the keywords of the rules of ``scope``; rules without any run always."""
        by_keyword: dict[bytes, list[int]] = {}
        always: list[int] = []
        for i, rule in enumerate(rules):
            if scope not in rule.scopes:
                continue
            if not rule.keywords or "" in rule.keywords:
                always.append(i)
                continue
            for kw in rule.keywords:
                try:
                    key = kw.encode("latin-1")
                except UnicodeEncodeError:
                    continue  # never occurs in text decoded as latin-1
                if key.translate(LOWER) == key:  # else never in lowered text
                    by_keyword.setdefault(key, []).append(i)
        keys = sorted(by_keyword)
        kind = kind or (None if scope is Scope.FILE else SHORT_TEXTS)
        index = build(keys, kind) if keys else None
        return cls(index, tuple(tuple(by_keyword[k]) for k in keys), tuple(always))

    def candidates(self, raw: bytes, rules: Sequence[SecretRule]) -> dict[int, list[int] | None]:
        """Rules whose keywords occur in ``raw``, with the sorted offsets of the keywords'
        last characters (``None``: search everything)."""
        found: dict[int, list[int] | None] = dict.fromkeys(self.always)
        if self.index is None:
            return found
        by_keyword: dict[int, list[int]] = {}
        for kw, end in self.index.hits(raw):
            ends = by_keyword.get(kw)
            if ends is None:
                by_keyword[kw] = [end - 1]
            else:
                ends.append(end - 1)
        per_rule: dict[int, list[int]] = {}
        for kw, ends in by_keyword.items():
            for i in self.rules_of[kw]:
                offsets = per_rule.get(i)
                if offsets is None:
                    per_rule[i] = ends.copy()
                else:
                    offsets.extend(ends)
        for i, offsets in per_rule.items():
            whole = rules[i].multiline or len(offsets) > MAX_WINDOWS
            found[i] = None if whole else sorted(offsets)
        return found
