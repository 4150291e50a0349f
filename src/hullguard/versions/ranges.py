"""Version ranges as unions of intervals, for any scheme.

Owns :class:`VersionRange`: a normalized (sorted, disjoint, merged) tuple of
:class:`Interval` objects, each with optional lower and upper
:class:`Bound`; ``allows``, ``intersect``, ``union``. Bounds keep the
version text; keys come from the scheme's comparator (cached), so ranges of
every scheme share one implementation. npm's range syntax, whose pre-release
rule is not an interval, lives in ``npm_range``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cmp_to_key
from typing import Any

from hullguard.errors import HullguardError
from hullguard.versions.interface import VersionScheme
from hullguard.versions.registry import comparator_for


class SchemeMismatch(HullguardError):
    """Two ranges of different version schemes were combined."""


@dataclass(frozen=True)
class Bound:
    """One end of an interval: a version and whether it belongs to the interval."""

    version: str
    inclusive: bool


@dataclass(frozen=True)
class Interval:
    """Versions between ``lower`` and ``upper``; ``None`` means unbounded."""

    lower: Bound | None = None
    upper: Bound | None = None

    def __str__(self) -> str:
        if self.lower and self.upper and self.lower == self.upper:
            return f"=={self.lower.version}"
        parts = []
        if self.lower:
            parts.append((">=" if self.lower.inclusive else ">") + self.lower.version)
        if self.upper:
            parts.append(("<=" if self.upper.inclusive else "<") + self.upper.version)
        return ", ".join(parts) or "*"


class _Ops:
    """Bound arithmetic for one scheme (keys from its comparator)."""

    def __init__(self, scheme: VersionScheme) -> None:
        self.key = comparator_for(scheme).parse

    def cmp(self, a: str, b: str) -> int:
        ka, kb = self.key(a), self.key(b)
        return -1 if ka < kb else (1 if kb < ka else 0)

    def lower_lt(self, a: Bound | None, b: Bound | None) -> bool:
        """Lower bound ``a`` starts before lower bound ``b``."""
        if a is None or b is None:
            return a is None and b is not None
        c = self.cmp(a.version, b.version)
        return c < 0 or (c == 0 and a.inclusive and not b.inclusive)

    def upper_lt(self, a: Bound | None, b: Bound | None) -> bool:
        """Upper bound ``a`` ends before upper bound ``b``."""
        if a is None or b is None:
            return b is None and a is not None
        c = self.cmp(a.version, b.version)
        return c < 0 or (c == 0 and b.inclusive and not a.inclusive)

    def is_empty(self, iv: Interval) -> bool:
        if iv.lower is None or iv.upper is None:
            return False
        c = self.cmp(iv.lower.version, iv.upper.version)
        return c > 0 or (c == 0 and not (iv.lower.inclusive and iv.upper.inclusive))

    def touches(self, upper: Bound | None, lower: Bound | None) -> bool:
        """An interval ending at ``upper`` overlaps or abuts one starting at ``lower``."""
        if upper is None or lower is None:
            return True
        c = self.cmp(upper.version, lower.version)
        return c > 0 or (c == 0 and (upper.inclusive or lower.inclusive))

    def contains(self, iv: Interval, key: Any) -> bool:
        if iv.lower is not None:
            low = self.key(iv.lower.version)
            if key < low or (not iv.lower.inclusive and not low < key):
                return False
        if iv.upper is not None:
            high = self.key(iv.upper.version)
            if high < key or (not iv.upper.inclusive and not key < high):
                return False
        return True

    def _by_lower(self, a: Interval, b: Interval) -> int:
        return -1 if self.lower_lt(a.lower, b.lower) else int(self.lower_lt(b.lower, a.lower))

    def normalize(self, intervals: list[Interval]) -> tuple[Interval, ...]:
        """Sort, drop empty intervals, merge overlapping or touching ones."""
        items = [iv for iv in intervals if not self.is_empty(iv)]
        items.sort(key=cmp_to_key(self._by_lower))
        merged: list[Interval] = []
        for iv in items:
            if merged and self.touches(merged[-1].upper, iv.lower):
                last = merged[-1]
                upper = iv.upper if self.upper_lt(last.upper, iv.upper) else last.upper
                merged[-1] = Interval(last.lower, upper)
            else:
                merged.append(iv)
        return tuple(merged)


@dataclass(frozen=True)
class VersionRange:
    """A set of versions of one scheme: a union of disjoint intervals."""

    scheme: VersionScheme
    intervals: tuple[Interval, ...]

    @classmethod
    def of(cls, scheme: VersionScheme, intervals: list[Interval]) -> VersionRange:
        """Normalized range from any list of intervals (validates every bound)."""
        ops = _Ops(scheme)
        for iv in intervals:
            for bound in (iv.lower, iv.upper):
                if bound is not None:
                    ops.key(bound.version)
        return cls(scheme, ops.normalize(list(intervals)))

    @classmethod
    def any(cls, scheme: VersionScheme) -> VersionRange:
        """Every version."""
        return cls(scheme, (Interval(),))

    @classmethod
    def empty(cls, scheme: VersionScheme) -> VersionRange:
        """No version."""
        return cls(scheme, ())

    @classmethod
    def exact(cls, scheme: VersionScheme, version: str) -> VersionRange:
        """Exactly ``version`` (and versions equal to it in the scheme)."""
        bound = Bound(version, True)
        return cls.of(scheme, [Interval(bound, bound)])

    @classmethod
    def between(
        cls,
        scheme: VersionScheme,
        lower: str | None,
        upper: str | None,
        *,
        lower_inclusive: bool = True,
        upper_inclusive: bool = False,
    ) -> VersionRange:
        """``[lower, upper)`` by default; ``None`` leaves a side open."""
        low = Bound(lower, lower_inclusive) if lower is not None else None
        high = Bound(upper, upper_inclusive) if upper is not None else None
        return cls.of(scheme, [Interval(low, high)])

    def allows(self, version: str) -> bool:
        """Whether ``version`` lies in the range; raises ``InvalidVersion``."""
        ops = _Ops(self.scheme)
        key = ops.key(version)
        return any(ops.contains(iv, key) for iv in self.intervals)

    def is_empty(self) -> bool:
        """True when no version is allowed."""
        return not self.intervals

    def union(self, other: VersionRange) -> VersionRange:
        """Versions in either range."""
        ops = self._ops_with(other)
        return VersionRange(self.scheme, ops.normalize([*self.intervals, *other.intervals]))

    def intersect(self, other: VersionRange) -> VersionRange:
        """Versions in both ranges."""
        ops = self._ops_with(other)
        pieces = []
        for a in self.intervals:
            for b in other.intervals:
                lower = b.lower if ops.lower_lt(a.lower, b.lower) else a.lower
                upper = a.upper if ops.upper_lt(a.upper, b.upper) else b.upper
                pieces.append(Interval(lower, upper))
        return VersionRange(self.scheme, ops.normalize(pieces))

    def _ops_with(self, other: VersionRange) -> _Ops:
        if other.scheme != self.scheme:
            raise SchemeMismatch(
                f"cannot combine a {self.scheme} range with a {other.scheme} range",
                hint="convert both to the scheme of the package's ecosystem first",
            )
        return _Ops(self.scheme)

    def __str__(self) -> str:
        return " || ".join(str(iv) for iv in self.intervals) or "<none>"
