"""Debian package versions (``[epoch:]upstream[-revision]``), ordered as dpkg does.

Owns the port of dpkg's ``parseversion`` checks and ``verrevcmp``
(lib/dpkg/version.c). Each of upstream and revision becomes a tuple of
segments ``(non-digit orders + (0,), number)`` followed by an end marker, so
plain tuple comparison reproduces dpkg: ``~`` sorts before the end of the
string, letters before other characters, digit runs numerically.
Verified against ``dpkg --compare-versions`` (tests/unit/versions).
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

_SCHEME = VersionScheme.DPKG
_SEGMENT = re.compile(r"([^0-9]*)([0-9]*)")
_UPSTREAM_OK = re.compile(r"[A-Za-z0-9.+~:-]*")
_REVISION_OK = re.compile(r"[A-Za-z0-9.+~]*")
_END: tuple[tuple[int, ...], int] = ((0,), 0)

DpkgPart = tuple[tuple[tuple[int, ...], int], ...]
DpkgKey = tuple[int, DpkgPart, DpkgPart]


def _order(char: str) -> int:
    """dpkg's ``order()``: ``~`` < end < letters < everything else."""
    if char == "~":
        return -1
    if char.isascii() and char.isalpha():
        return ord(char)
    return ord(char) + 256


#: non-digit runs seen so far -> their order tuples (few distinct: ".", "-", "+dfsg")
_ORDERS: dict[str, tuple[int, ...]] = {}


def _orders(letters: str) -> tuple[int, ...]:
    orders = (*(_order(c) for c in letters), 0)
    if len(letters) <= 8:  # bounded: short separators repeat, long runs do not
        _ORDERS[letters] = orders
    return orders


def part_key(text: str) -> DpkgPart:
    """Sort key of one upstream-version or revision string (``verrevcmp``)."""
    # hot path of a cold scan (every fixed version in the data is parsed once)
    segments: list[tuple[tuple[int, ...], int]] = [
        (_ORDERS.get(letters) or _orders(letters), int(digits) if digits else 0)
        for letters, digits in _SEGMENT.findall(text)
        if letters or digits
    ]
    if not segments:
        # an empty string still has dpkg's first (empty, 0) segment
        segments.append(_END)
    segments.append(_END)
    return tuple(segments)


def _split(version: str) -> tuple[str, str, str]:
    text = version.strip()
    if not text:
        raise InvalidVersion(_SCHEME, version, "version string is empty")
    if any(c.isspace() for c in text):
        raise InvalidVersion(_SCHEME, version, "version string has embedded spaces")
    epoch = "0"
    if ":" in text:
        epoch, text = text.split(":", 1)
        if not epoch:
            raise InvalidVersion(_SCHEME, version, "epoch in version is empty")
        if not (epoch.isascii() and epoch.isdigit()):
            raise InvalidVersion(_SCHEME, version, "epoch in version is not number")
        if int(epoch) > 2**31 - 1:
            raise InvalidVersion(_SCHEME, version, "epoch in version is too big")
        if not text:
            raise InvalidVersion(_SCHEME, version, "nothing after colon in version number")
    upstream, sep, revision = text.rpartition("-")
    if not sep:
        upstream, revision = text, ""
    elif not revision:
        raise InvalidVersion(_SCHEME, version, "revision number is empty")
    return epoch, upstream, revision


@lru_cache(maxsize=PARSE_CACHE_SIZE)
def parse(version: str) -> DpkgKey:
    """Sort key of a Debian version; raises :class:`InvalidVersion`."""
    epoch, upstream, revision = _split(version)
    if not upstream:
        raise InvalidVersion(_SCHEME, version, "version number is empty")
    if not upstream[0].isdigit() or not upstream[0].isascii():
        raise InvalidVersion(_SCHEME, version, "version number does not start with digit")
    if not _UPSTREAM_OK.fullmatch(upstream):
        raise InvalidVersion(_SCHEME, version, "invalid character in version number")
    if not _REVISION_OK.fullmatch(revision):
        raise InvalidVersion(_SCHEME, version, "invalid character in revision number")
    return (int(epoch), part_key(upstream), part_key(revision))


COMPARATOR = KeyComparator(_SCHEME, parse)
