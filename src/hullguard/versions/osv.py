"""OSV ``affected`` evaluation, exactly as the OSV schema's pseudo-code says.

Owns, on plain parsed OSV dicts (sans-I/O):

* :func:`osv_affected`: ``IsVulnerable`` for one ``affected[]`` entry: the
  version is listed in ``versions`` (string equality), or lies in an
  ``ECOSYSTEM``/``SEMVER`` range. Per range: ``BeforeLimits`` (``limit``
  events, ``*`` = no limit), then the events sorted by version (``"0"`` first,
  ties in input order) folded as ``introduced`` -> affected when
  ``v >= introduced``, ``fixed`` -> not when ``v >= fixed``,
  ``last_affected`` -> not when ``v > last_affected``. ``GIT`` ranges never
  match a version.
* :func:`osv_range_to_version_range`: the same range as a :class:`VersionRange`.
* :func:`is_withdrawn`: the record's ``withdrawn`` time has passed.

ECOSYSTEM ranges use the ecosystem's scheme; SEMVER ranges use strict semver
(Go and npm keep their own spellings, which accept a ``v``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from functools import cmp_to_key, lru_cache
from typing import Any

from hullguard.versions import golang, semver
from hullguard.versions.interface import InvalidVersion, VersionKey, VersionScheme
from hullguard.versions.ranges import Bound, Interval, VersionRange
from hullguard.versions.registry import comparator_for


class RangeType(StrEnum):
    """``affected[].ranges[].type``."""

    SEMVER = "SEMVER"
    ECOSYSTEM = "ECOSYSTEM"
    GIT = "GIT"


class EventKind(StrEnum):
    """The key of one ``events[]`` object."""

    INTRODUCED = "introduced"
    FIXED = "fixed"
    LAST_AFFECTED = "last_affected"
    LIMIT = "limit"


_ZERO = "0"  # introduced: "0" = before every version
_NO_LIMIT = "*"
Event = tuple[EventKind, str]
Parse = Callable[[str], VersionKey]


def _semver_v_optional(version: str) -> VersionKey:
    return semver.parse(version[1:] if version.startswith("v") else version)


#: parser for SEMVER-typed ranges, by the package's scheme
_SEMVER_PARSERS: dict[VersionScheme, Parse] = {
    VersionScheme.GOLANG: golang.parse,
    VersionScheme.NPM: semver.parse_npm,
}


def _parser(range_type: RangeType, scheme: VersionScheme) -> Parse:
    if range_type is RangeType.SEMVER:
        return _SEMVER_PARSERS.get(scheme, _semver_v_optional)
    comparator = comparator_for(scheme)
    parse: Parse = getattr(comparator, "parse_fn", comparator.parse)  # skip one call layer
    return parse


def _range_type(rng: Mapping[str, Any]) -> RangeType:
    value = str(rng.get("type", ""))
    found = _RANGE_TYPES.get(value)
    if found is None:
        raise InvalidVersion("osv", value, "unknown OSV range type (SEMVER, ECOSYSTEM, GIT)")
    return found


_RANGE_TYPES = {t.value: t for t in RangeType}


_EVENT_KINDS = {kind.value: kind for kind in EventKind}


def _events(rng: Mapping[str, Any]) -> list[Event]:
    return [
        (_EVENT_KINDS[key], str(value))
        for event in rng.get("events") or ()
        for key, value in event.items()
        if key in _EVENT_KINDS
    ]


def _sorted(events: Iterable[Event], parse: Parse) -> list[Event]:
    """Events by version, ``"0"`` first, stable for ties (the spec's ``sorted``)."""
    events = list(events)
    others = [e for e in events if e[1] != _ZERO]
    if len(others) <= 1:  # the common ``introduced 0, fixed X``: nothing to compare
        return [e for e in events if e[1] == _ZERO] + others

    def order(a: Event, b: Event) -> int:
        if a[1] == _ZERO or b[1] == _ZERO:
            return (b[1] == _ZERO) - (a[1] == _ZERO)
        ka, kb = parse(a[1]), parse(b[1])
        return -1 if ka < kb else int(kb < ka)

    return sorted(events, key=cmp_to_key(order))


_INTRODUCED, _FIXED, _LAST_AFFECTED = 0, 1, 2
_KIND_CODES = {
    EventKind.INTRODUCED: _INTRODUCED,
    EventKind.FIXED: _FIXED,
    EventKind.LAST_AFFECTED: _LAST_AFFECTED,
}


@dataclass(frozen=True)
class CompiledRange:
    """One ECOSYSTEM/SEMVER range with its events parsed and sorted once.

    ``events`` holds ``(kind, key)`` in the spec's sorted order, ``key`` None
    for ``"0"``; ``limits`` holds the ``limit`` keys (None for ``"*"``).
    """

    parse: Parse
    events: tuple[tuple[int, VersionKey], ...]
    limits: tuple[VersionKey, ...]

    def includes(self, version: str) -> bool:
        """``BeforeLimits`` and the sorted-events fold of the pseudo-code."""
        key = self.parse(version)
        if self.limits and not any(lim is None or key < lim for lim in self.limits):
            return False
        vulnerable = False
        for kind, bound in self.events:
            if bound is not None and key < bound:
                break  # sorted: no later event can hold
            if kind == _INTRODUCED:
                vulnerable = True
            elif kind == _FIXED or bound is None or bound < key:
                vulnerable = False
        return vulnerable


@dataclass(frozen=True)
class CompiledAffected:
    """An ``affected[]`` entry ready for fast repeated evaluation."""

    versions: frozenset[str]
    ranges: tuple[CompiledRange, ...]

    def affects(self, version: str) -> bool:
        """``IncludedInVersions || IncludedInRanges``."""
        return version in self.versions or any(r.includes(version) for r in self.ranges)


def compile_range(rng: Mapping[str, Any], scheme: VersionScheme) -> CompiledRange | None:
    """Parse and sort one range; None for GIT ranges (they never match a version)."""
    return _compile(str(rng.get("type", "")), tuple(_events(rng)), scheme)


@lru_cache(maxsize=1 << 16)
def _compile(
    type_name: str, events: tuple[Event, ...], scheme: VersionScheme
) -> CompiledRange | None:
    range_type = _range_type({"type": type_name})
    if range_type is RangeType.GIT:
        return None
    parse = _parser(range_type, scheme)
    ordered = _sorted((e for e in events if e[0] is not EventKind.LIMIT), parse)
    return CompiledRange(
        parse,
        tuple((_KIND_CODES[k], None if v == _ZERO else parse(v)) for k, v in ordered),
        tuple(None if v == _NO_LIMIT else parse(v) for k, v in events if k is EventKind.LIMIT),
    )


def compile_affected(affected_entry: Mapping[str, Any], scheme: VersionScheme) -> CompiledAffected:
    """Pre-parse an ``affected[]`` entry (raises :class:`InvalidVersion` on a bad event)."""
    ranges = (compile_range(r, scheme) for r in affected_entry.get("ranges") or ())
    return CompiledAffected(
        frozenset(str(v) for v in affected_entry.get("versions") or ()),
        tuple(r for r in ranges if r is not None),
    )


def range_includes(rng: Mapping[str, Any], version: str, scheme: VersionScheme) -> bool:
    """``IncludedInRanges`` for one range object; GIT ranges are never included."""
    compiled = compile_range(rng, scheme)
    return compiled is not None and compiled.includes(version)


def osv_affected(affected_entry: Mapping[str, Any], version: str, scheme: VersionScheme) -> bool:
    """Whether ``version`` is affected according to one OSV ``affected[]`` entry.

    Raises :class:`InvalidVersion` when ``version`` or an event version does not
    parse (report the package as skipped). For many versions against the same
    entry, :func:`compile_affected` once and call ``affects``.
    """
    if version in (affected_entry.get("versions") or ()):
        return True
    return any(range_includes(r, version, scheme) for r in affected_entry.get("ranges") or ())


def osv_range_to_version_range(rng: Mapping[str, Any], scheme: VersionScheme) -> VersionRange:
    """An ECOSYSTEM range as a :class:`VersionRange` of ``scheme`` (same verdicts).

    SEMVER ranges convert too when ``scheme`` orders semver strings (semver, npm,
    golang); GIT ranges give the empty range.
    """
    range_type = _range_type(rng)
    if range_type is RangeType.GIT:
        return VersionRange.empty(scheme)
    parse = _parser(range_type, scheme)
    events = _events(rng)
    intervals = _walk(_sorted((e for e in events if e[0] is not EventKind.LIMIT), parse))
    result = VersionRange.of(scheme, intervals)
    limits = [v for kind, v in events if kind is EventKind.LIMIT]
    if limits and _NO_LIMIT not in limits:
        highest = max(limits, key=parse)
        result = result.intersect(VersionRange.between(scheme, None, highest))
    return result


def _walk(events: list[Event]) -> list[Interval]:
    intervals: list[Interval] = []
    lower: Bound | None = None
    is_open = False
    for kind, ver in events:
        if kind is EventKind.INTRODUCED and not is_open:
            lower, is_open = (None if ver == _ZERO else Bound(ver, True)), True
        elif kind in (EventKind.FIXED, EventKind.LAST_AFFECTED) and is_open:
            if ver != _ZERO:  # closing at "0" (before everything) leaves nothing
                intervals.append(Interval(lower, Bound(ver, kind is EventKind.LAST_AFFECTED)))
            is_open = False
    if is_open:
        intervals.append(Interval(lower, None))
    return intervals


def is_withdrawn(record: Mapping[str, Any], now: datetime | None = None) -> bool:
    """Whether the OSV record's ``withdrawn`` time is set and not in the future."""
    value = record.get("withdrawn")
    if not value:
        return False
    try:
        when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return True  # withdrawn, at a time we cannot read: treat as withdrawn
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when <= (now or datetime.now(UTC))
