"""Rule gates: one hyperscan pass per file tells which rules can match anywhere in it.

Keywords are common words (``token``, ``secret``, ``://``, ``aws``): on the
benchmark image 5,091 of 11,488 text files have a keyword hit, and a rule
regex runs around every hit; yet almost none of them has an assignment, a
token shape or a URL with credentials after the keyword. A gate is a
*superset* of a rule's regex compiled for hyperscan (``HS_FLAG_PREFILTER``,
``HS_FLAG_SINGLEMATCH``): a file in which the gate finds nothing cannot hold a
match of the rule, so the rule is not evaluated there. Where the gate fires,
the engine runs exactly as without it; findings cannot change.

Why the gate is a superset of the rule (for text decoded as latin-1, byte
``b`` being character ``chr(b)``): the gate is the rule's own parse tree
(``re._parser``) written out again, where

- each single-character item (literal, class, ``.``, ``\\w`` ...) becomes the
  class of exactly the bytes Python's ``re`` accepts for it under the flags in
  force there (found by trying all 256 characters with ``re`` itself, so case
  folding, Unicode ``\\w``/``\\s`` over latin-1, ``DOTALL`` are ``re``'s);
- zero-width items (``^ $ \\b``, look-arounds) are dropped: any text matches;
- a back-reference becomes ``[\\x00-\\xff]*``; a repeat over 32 loses its
  upper bound (and a lower bound over 32 becomes 32): both only widen it;
- groups, alternations and repeats keep their structure.

A match of ``re`` consumes a string of that language whatever its position
(``pos``/``endpos`` only affect assertions), and hyperscan's prefilter mode
itself only widens. Anything else in a pattern (conditional groups, an empty
class) leaves that rule without a gate: it is then evaluated wherever its
keywords occur, as before. Checked against the plain engine on real data by
``tests/integration/image/test_secret_engine_differential.py``.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from typing import Any

from hullguard.secrets import compiled
from hullguard.secrets.interface import Scope, SecretRule

try:  # private to CPython / a binary wheel: without either there is no gate
    _hs: Any = importlib.import_module("hyperscan")
    _parser: Any = importlib.import_module("re._parser")
    _c: Any = importlib.import_module("re._constants")
    _compiler: Any = importlib.import_module("re._compiler")
except ImportError:  # pragma: no cover - depends on the platform
    _hs = None

#: repeats with a larger bound are widened (hyperscan refuses large bounded repeats)
_MAX_BOUND = 32
_ANY_BYTES = "[\\x00-\\xff]*"


class Unsupported(Exception):
    """A construct the gate cannot widen safely (the rule keeps no gate)."""


#: (repr of a parse item, flags) -> its byte class (parse items hold lists: not hashable)
_CLASSES: dict[tuple[str, int], str] = {}


def _byte_class(item: Any, flags: int) -> str:
    """The bytes ``re`` accepts for one single-character item, as a hyperscan class."""
    op, av = item
    if op is _c.LITERAL and not flags & re.IGNORECASE and av < 256:
        return f"\\x{av:02x}"  # exactly that character (the common case, no trial needed)
    key = (repr(item), flags)
    found = _CLASSES.get(key)
    if found is None:
        found = _CLASSES[key] = _accepted_class(item, flags)
    return found


def _accepted_class(item: Any, flags: int) -> str:
    state = _parser.State()
    state.flags = flags
    one = _compiler.compile(_parser.SubPattern(state, [item]), 0)
    accepted = [b for b in range(256) if one.fullmatch(chr(b))]
    if not accepted:
        raise Unsupported("a class that matches no latin-1 character")
    parts: list[str] = []
    i = 0
    while i < len(accepted):
        j = i
        while j + 1 < len(accepted) and accepted[j + 1] == accepted[j] + 1:
            j += 1
        lo, hi = accepted[i], accepted[j]
        parts.append(f"\\x{lo:02x}" if lo == hi else f"\\x{lo:02x}-\\x{hi:02x}")
        i = j + 1
    return "[" + "".join(parts) + "]"


def _emit(seq: Sequence[tuple[Any, Any]], flags: int) -> str:
    out: list[str] = []
    for op, av in seq:
        if op in (_c.LITERAL, _c.NOT_LITERAL, _c.ANY, _c.IN):
            out.append(_byte_class((op, av), flags))
        elif op is _c.SUBPATTERN:
            _group, add, remove, sub = av
            out.append("(?:" + _emit(sub, (flags | add) & ~remove) + ")")
        elif op is _c.ATOMIC_GROUP:
            out.append("(?:" + _emit(av, flags) + ")")
        elif op is _c.BRANCH:
            out.append("(?:" + "|".join(_emit(alt, flags) for alt in av[1]) + ")")
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
            out.append(_repeat(av, flags))
        elif op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
            continue  # zero width: dropping it only widens
        elif op is _c.GROUPREF:
            out.append(_ANY_BYTES)
        else:
            raise Unsupported(f"regex construct {op}")
    return "".join(out)


def _repeat(av: tuple[int, int, Any], flags: int) -> str:
    lo, hi, item = av
    body = _emit(item, flags)
    if hi == _c.MAXREPEAT or hi > _MAX_BOUND:
        return f"(?:{body}){{{min(lo, _MAX_BOUND)},}}"
    return f"(?:{body}){{{lo},{hi}}}"


def _spliced(seq: Sequence[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """The top-level items with zero-width ones dropped and groups that change no flag
    replaced by their items (the same language)."""
    out: list[tuple[Any, Any]] = []
    for op, av in seq:
        if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
            continue
        if op is _c.SUBPATTERN and not av[1] and not av[2]:
            out.extend(_spliced(av[3]))
        else:
            out.append((op, av))
    return out


def _min_width(item: tuple[Any, Any], state: Any) -> int:
    try:
        return int(_parser.SubPattern(state, [item]).getwidth()[0])
    except (TypeError, AttributeError, IndexError, ValueError):  # back-references
        return 0


def _trimmed(seq: Sequence[tuple[Any, Any]], state: Any) -> list[tuple[Any, Any]]:
    """The part of every match that the gate needs to look for.

    Every match of ``A B`` contains a match of ``A`` and one of ``B``: items that
    may match the empty string are dropped at both ends, and a repeat at an end
    keeps only its minimum count (hyperscan compiles long tails slowly).
    """
    items = _spliced(seq)
    while items and _min_width(items[-1], state) == 0:
        items.pop()
    while items and _min_width(items[0], state) == 0:
        items.pop(0)
    for at in (0, -1) if items else ():
        op, av = items[at]
        if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
            items[at] = (op, (av[0], av[0], av[2]))
    return items


def superset(regex: re.Pattern[str]) -> str:
    """A hyperscan pattern that matches inside every string ``regex`` can match (over
    latin-1): a file without a match of it holds no match of ``regex``.

    The built-in rules' patterns come precomputed from ``rules/builtin.json``
    (:mod:`hullguard.secrets.compiled`) when it matches this code and Python.
    """
    if _hs is None:  # pragma: no cover - depends on the platform
        raise Unsupported("hyperscan is not installed")
    known = compiled.known_gate(regex.flags, regex.pattern)
    return known if known is not None else compute_superset(regex)


def compute_superset(regex: re.Pattern[str]) -> str:
    """:func:`superset`, always derived from the regex's parse tree."""
    if _hs is None:  # pragma: no cover - depends on the platform
        raise Unsupported("hyperscan is not installed")
    try:
        parsed = _parser.parse(regex.pattern, regex.flags)
        items = _trimmed(list(parsed.data), parsed.state)
        if not items:
            raise Unsupported("every match may be empty")
        return _emit(items, parsed.state.flags)
    except (RecursionError, re.error, TypeError, AttributeError, IndexError, ValueError) as exc:
        raise Unsupported(str(exc)) from None


_FLAGS = 0
if _hs is not None:
    _FLAGS = _hs.HS_FLAG_PREFILTER | _hs.HS_FLAG_SINGLEMATCH | _hs.HS_FLAG_ALLOWEMPTY


def _compiles(pattern: bytes) -> bool:
    db = _hs.Database()
    try:
        db.compile(expressions=[pattern], ids=[0], elements=1, flags=[_FLAGS])
    except _hs.error:
        return False
    return True


class RuleGate:
    """The gates of the rules of the file scope, in one hyperscan database.

    :meth:`passed` returns the indexes (into ``rules``) of the rules that may
    match in a file: those whose gate fired, plus every rule without a gate.
    """

    def __init__(self, rules: Sequence[SecretRule]) -> None:
        patterns: dict[int, bytes] = {}
        for i, rule in enumerate(rules):
            if Scope.FILE not in rule.scopes:
                continue
            try:
                # a rule with a context regex matches only near a context match
                patterns[i] = superset(rule.context or rule.regex).encode("ascii")
            except Unsupported:
                continue
        self._db, gated = _compile(patterns)
        #: rules of the file scope without a gate: they pass every file
        self.ungated = frozenset(
            i for i, r in enumerate(rules) if Scope.FILE in r.scopes and i not in gated
        )
        self._scratch = _hs.Scratch(self._db) if self._db is not None else None

    def dump(self) -> tuple[bytes | None, frozenset[int]]:
        """The compiled gates as bytes (hyperscan's serialized database), for :meth:`load`
        in another process of the same run: deserializing takes a millisecond, compiling
        takes ~70 ms."""
        return (_hs.dumpb(self._db) if self._db is not None else None, self.ungated)

    @classmethod
    def load(cls, state: tuple[bytes | None, frozenset[int]]) -> RuleGate:
        """A gate from :meth:`dump` (made by this program, in this run, on this machine)."""
        blob, ungated = state
        gate = cls.__new__(cls)
        gate._db = _hs.loadb(blob, _hs.HS_MODE_BLOCK) if blob is not None else None
        gate.ungated = ungated
        gate._scratch = _hs.Scratch(gate._db) if gate._db is not None else None
        return gate

    def passed(self, raw: bytes) -> set[int]:
        """Rules that may match somewhere in ``raw``."""
        found = set(self.ungated)
        if self._db is not None:
            self._db.scan(raw, match_event_handler=_add_rule, context=found, scratch=self._scratch)
        return found


def _add_rule(rule: int, _start: int, _end: int, _flags: int, found: set[int]) -> None:
    """Match handler: the found set travels as hyperscan's context (no closure per call)."""
    found.add(rule)


def _compile(patterns: dict[int, bytes]) -> tuple[Any | None, frozenset[int]]:
    """One database of ``patterns`` (rule index -> pattern) and the rules it gates; a
    pattern hyperscan refuses is left out (its rule stays ungated)."""
    if not patterns:
        return None, frozenset()
    db = _hs.Database()
    try:
        db.compile(
            expressions=list(patterns.values()),
            ids=list(patterns),
            elements=len(patterns),
            flags=[_FLAGS] * len(patterns),
        )
    except _hs.error:
        kept = {i: p for i, p in patterns.items() if _compiles(p)}
        if len(kept) == len(patterns):  # pragma: no cover - refused together, fine alone
            return None, frozenset()
        return _compile(kept)
    return db, frozenset(patterns)


def available() -> bool:
    """Whether gates can be built here (hyperscan and ``re._parser`` present)."""
    return _hs is not None
