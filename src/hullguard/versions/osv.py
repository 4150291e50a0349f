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
from datetime import UTC, datetime
from enum import StrEnum
from functools import cmp_to_key
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
    return comparator_for(scheme).parse


def _range_type(rng: Mapping[str, Any]) -> RangeType:
    value = str(rng.get("type", ""))
    if value not in RangeType.__members__:
        raise InvalidVersion("osv", value, "unknown OSV range type (SEMVER, ECOSYSTEM, GIT)")
    return RangeType(value)


def _events(rng: Mapping[str, Any]) -> list[Event]:
    events: list[Event] = []
    for event in rng.get("events") or ():
        for kind in EventKind:
            if kind.value in event:
                events.append((kind, str(event[kind.value])))
    return events


def _sorted(events: Iterable[Event], parse: Parse) -> list[Event]:
    """Events by version, ``"0"`` first, stable for ties (the spec's ``sorted``)."""

    def order(a: Event, b: Event) -> int:
        if a[1] == _ZERO or b[1] == _ZERO:
            return (b[1] == _ZERO) - (a[1] == _ZERO)
        ka, kb = parse(a[1]), parse(b[1])
        return -1 if ka < kb else int(kb < ka)

    return sorted(events, key=cmp_to_key(order))


def _before_limits(key: VersionKey, events: list[Event], parse: Parse) -> bool:
    limits = [v for kind, v in events if kind is EventKind.LIMIT]
    if not limits:
        return True
    return any(v == _NO_LIMIT or key < parse(v) for v in limits)


def _closes(kind: EventKind, ver: str, key: VersionKey, parse: Parse) -> bool:
    """``fixed``: ``v >= fixed``; ``last_affected``: ``v > last_affected``."""
    if ver == _ZERO:
        return True
    bound = parse(ver)
    return not key < bound if kind is EventKind.FIXED else bound < key


def _in_range(key: VersionKey, events: list[Event], parse: Parse) -> bool:
    vulnerable = False
    for kind, ver in _sorted((e for e in events if e[0] is not EventKind.LIMIT), parse):
        if kind is EventKind.INTRODUCED and (ver == _ZERO or not key < parse(ver)):
            vulnerable = True
        elif kind is not EventKind.INTRODUCED and _closes(kind, ver, key, parse):
            vulnerable = False
    return vulnerable


def range_includes(rng: Mapping[str, Any], version: str, scheme: VersionScheme) -> bool:
    """``IncludedInRanges`` for one range object; GIT ranges are never included."""
    range_type = _range_type(rng)
    if range_type is RangeType.GIT:
        return False
    parse = _parser(range_type, scheme)
    key = parse(version)
    events = _events(rng)
    return _before_limits(key, events, parse) and _in_range(key, events, parse)


def osv_affected(affected_entry: Mapping[str, Any], version: str, scheme: VersionScheme) -> bool:
    """Whether ``version`` is affected according to one OSV ``affected[]`` entry.

    Raises :class:`InvalidVersion` when ``version`` or an event version needed
    for the answer does not parse (report the package as skipped).
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
