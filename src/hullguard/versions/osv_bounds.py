"""OSV ``affected`` entries pre-compiled at import: "bounds" text and back.

Owns the stored form of a compiled ``affected[]`` entry (ADR 0145), made once
by the database import so a scan parses no bound at all:

``[1, versions, [[range type, events, limits], ...]]`` where ``range type`` is
``"E"`` (ECOSYSTEM) or ``"S"`` (SEMVER), ``events`` holds ``[kind, key]`` in
the OSV spec's sorted order (``kind`` 0 introduced, 1 fixed, 2 last_affected;
``key`` null for ``"0"``), ``limits`` holds keys (null for ``"*"``). Keys are
:mod:`hullguard.versions.portable` keys. GIT ranges are dropped (they never
match a version). An entry that cannot be stored this way (a scheme without
portable keys, an npm range, an invalid bound, an unknown range type) gets
``""`` and is compiled at match time, which reports the problem as before.

:func:`load_bounds` rebuilds the :class:`CompiledAffected`; its verdicts equal
:func:`compile_affected`'s (differential tests). :func:`bounds_check` is what a
scan uses: the same verdicts as a plain function, built without objects for the
common shape (one range ``introduced [, fixed]``, no limit), which is ~85% of
the distinct range sets a cold scan meets.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from hullguard.model.frozen import from_fields
from hullguard.versions.interface import InvalidVersion, VersionScheme
from hullguard.versions.osv import (
    _KIND_CODES,
    _NO_LIMIT,
    _ZERO,
    CompiledAffected,
    CompiledRange,
    EventKind,
    Parse,
    RangeType,
    _events,
    _parser,
    _range_type,
    _sorted,
)
from hullguard.versions.portable import Encoder, encoder_for, portable_parser

FORMAT = 1
_TYPE_CODES = {RangeType.ECOSYSTEM: "E", RangeType.SEMVER: "S"}
_CODE_TYPES = {code: kind for kind, code in _TYPE_CODES.items()}
_raw_decode = json.JSONDecoder().raw_decode  # stored compact by encode_bounds


def _loads(text: str) -> Any:
    return _raw_decode(text)[0]


def _encoder(range_type: RangeType, scheme: VersionScheme) -> Encoder | None:
    return encoder_for(None if range_type is RangeType.SEMVER else scheme)


def _encode_range(rng: Mapping[str, Any], scheme: VersionScheme) -> list[Any] | None:
    range_type = _range_type(rng)
    if range_type is RangeType.GIT:
        return None
    encode = _encoder(range_type, scheme)
    if encode is None:
        raise LookupError(scheme)
    parse = _parser(range_type, scheme)
    events = _events(rng)
    ordered = _sorted((e for e in events if e[0] is not EventKind.LIMIT), parse)
    return [
        _TYPE_CODES[range_type],
        [[_KIND_CODES[k], None if v == _ZERO else encode(parse(v))] for k, v in ordered],
        [None if v == _NO_LIMIT else encode(parse(v)) for k, v in events if k is EventKind.LIMIT],
    ]


def encode_bounds(affected: Mapping[str, Any], scheme: VersionScheme) -> str:
    """The stored bounds of one ``affected[]`` entry, or ``""`` when it has none."""
    if "npm_range" in affected:
        return ""
    try:
        ranges = [_encode_range(r, scheme) for r in affected.get("ranges") or ()]
    except (InvalidVersion, LookupError, ValueError):
        return ""
    versions = [str(v) for v in affected.get("versions") or ()]
    body = [FORMAT, versions, [r for r in ranges if r is not None]]
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


_PARSERS: dict[tuple[str, VersionScheme], Parse] = {}


def _portable(code: str, scheme: VersionScheme) -> Parse:
    found = _PARSERS.get((code, scheme))
    if found is None:
        range_type = _CODE_TYPES[code]
        encode = _encoder(range_type, scheme)
        if encode is None:
            raise InvalidVersion(scheme, "", "no portable version keys for this scheme")
        found = _PARSERS[(code, scheme)] = portable_parser(_parser(range_type, scheme), encode)
    return found


def load_bounds(text: str, scheme: VersionScheme) -> CompiledAffected:
    """The :class:`CompiledAffected` of stored bounds (no version is parsed)."""
    _fmt, versions, ranges = _loads(text)  # FORMAT: the schema version guards it
    # hot path (one call per distinct range set a scan meets): events stay the
    # decoded ``[kind, key]`` lists, which unpack like the tuples of CompiledRange
    return from_fields(
        CompiledAffected,
        {
            "versions": frozenset(versions),
            "ranges": tuple(
                from_fields(
                    CompiledRange,
                    {
                        "parse": _portable(code, scheme),
                        "events": tuple(events),
                        "limits": tuple(limits),
                    },
                )
                for code, events, limits in ranges
            ),
        },
    )


Check = Callable[[str], bool]


def _interval(listed: frozenset[str], parse: Parse, low: Any, high: Any, version: str) -> bool:
    """``CompiledAffected.affects`` for events ``introduced low[, fixed high]``, no limit."""
    if version in listed:
        return True
    key = parse(version)
    if low is not None and key < low:
        return False  # the fold stops before ``introduced``
    return high is None or key < high


def _is_interval(events: list[list[Any]], limits: list[Any]) -> bool:
    if limits or not events or events[0][0] != 0:  # 0: introduced
        return False
    if len(events) == 1:
        return True
    return len(events) == 2 and events[1][0] == 1 and events[1][1] is not None  # 1: fixed


def interval(text: str) -> tuple[str, str, str, str | None] | None:
    """``(span, listed, low, high)`` when stored bounds are plain, else None.

    Plain: at most one range, with no limit and events ``introduced low``
    [``fixed high``]; ``span`` is its range code (``"V"``: no range, only the
    ``versions`` list). ``listed`` is ``"\n"`` + the listed versions joined by
    ``"\n"`` + ``"\n"`` (``""`` for none). A version ``v`` with the portable key
    ``k`` of that range type is then affected exactly when ``"\n" + v + "\n"``
    is in ``listed``, or ``low <= k`` and (``high`` is None or ``k < high``);
    ``low`` is ``""`` for ``introduced 0``, which every key passes. The database
    stores this so SQLite runs the check (ADR 0145, schema 3).
    """
    if not text:
        return None
    _fmt, versions, ranges = _loads(text)
    if any("\n" in v for v in versions):
        return None
    listed = "\n" + "\n".join(versions) + "\n" if versions else ""
    if not ranges:
        return "V", listed, "", None
    if len(ranges) != 1:
        return None
    code, events, limits = ranges[0]
    if not _is_interval(events, limits):
        return None
    return code, listed, events[0][1] or "", events[1][1] if len(events) == 2 else None


def portable_key(code: str, scheme: VersionScheme, version: str) -> str | None:
    """The portable key stored bounds of range ``code`` compare ``version`` with, or None.

    None when the version does not parse (or the scheme has no portable keys):
    a caller then evaluates the bounds in Python, which reports the problem.
    """
    try:
        key: str = _portable(code, scheme)(version)
    except InvalidVersion:
        return None
    return key


def bounds_check(text: str, scheme: VersionScheme) -> Check:
    """``load_bounds(text, scheme).affects``: same verdicts and errors, built cheaper."""
    _fmt, versions, ranges = _loads(text)
    if not ranges:
        return frozenset(versions).__contains__
    if len(ranges) == 1:
        code, events, limits = ranges[0]
        if _is_interval(events, limits):
            high = events[1][1] if len(events) == 2 else None
            return partial(_interval, frozenset(versions), _portable(code, scheme),
                           events[0][1], high)  # fmt: skip
    return load_bounds(text, scheme).affects
