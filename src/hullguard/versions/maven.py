"""Maven versions, ordered as Maven's ``ComparableVersion`` (maven-artifact 3.8.x).

Owns a port of ``org.apache.maven.artifact.versioning.ComparableVersion``:
``.`` and ``-`` separators (a ``-`` or a digit/letter transition opens a
sub-list), trailing "null" items (0, "", ``final``/``ga``/``release``)
removed, qualifiers ``alpha`` < ``beta`` < ``milestone`` < ``rc``/``cr`` <
``snapshot`` < release < ``sp`` < other words (lexically), ``a1``/``b1``/``m1``
short forms. Maven's order is not a total order in corner cases (an item
compares with "nothing" differently by type), so keys are small objects that
run Maven's own recursive comparison instead of plain tuples.
Verified against ``ComparableVersion`` from the Maven install (tests/unit/versions).
"""

from __future__ import annotations

from functools import lru_cache, total_ordering
from typing import NamedTuple

from hullguard.versions.interface import (
    PARSE_CACHE_SIZE,
    InvalidVersion,
    KeyComparator,
    VersionScheme,
)

_SCHEME = VersionScheme.MAVEN
_QUALIFIERS = ("alpha", "beta", "milestone", "rc", "snapshot", "", "sp")
_RELEASE_INDEX = _QUALIFIERS.index("")
_ALIASES = {"ga": "", "final": "", "release": "", "cr": "rc"}
_SHORT = {"a": "alpha", "b": "beta", "m": "milestone"}


class Qualifier(NamedTuple):
    """A string item: known qualifier index (or ``len(_QUALIFIERS)``) and text."""

    rank: int
    text: str


# An item is an int (number), a Qualifier (string) or a plain tuple (sub-list).


def _qualifier(text: str, followed_by_digit: bool) -> Qualifier:
    if followed_by_digit and len(text) == 1:
        text = _SHORT.get(text, text)
    text = _ALIASES.get(text, text)
    if text in _QUALIFIERS:
        return Qualifier(_QUALIFIERS.index(text), "")
    return Qualifier(len(_QUALIFIERS), text)


class _Builder:
    """Mirror of ``ComparableVersion.parseVersion`` building nested lists.

    ``stack`` holds every list opened so far; the last one is Maven's ``list``.
    """

    def __init__(self) -> None:
        self.root: list[object] = []
        self.stack: list[list[object]] = [self.root]

    @property
    def current(self) -> list[object]:
        return self.stack[-1]

    def open_list(self) -> None:
        sub: list[object] = []
        self.current.append(sub)
        self.stack.append(sub)

    def add(self, is_digit: bool, text: str) -> None:
        self.current.append(int(text) if is_digit else _qualifier(text, False))


def _is_null(item: object) -> bool:
    if isinstance(item, int):
        return item == 0
    if isinstance(item, Qualifier):
        return item.rank == _RELEASE_INDEX
    return not item  # an empty sub-list


def _normalize(items: list[object]) -> None:
    for i in range(len(items) - 1, -1, -1):
        if _is_null(items[i]):
            del items[i]
        elif not isinstance(items[i], list):
            break


def _freeze(items: list[object]) -> tuple[object, ...]:
    return tuple(_freeze(i) if isinstance(i, list) else i for i in items)


def _parse_items(version: str) -> tuple[object, ...]:
    text = version.lower()
    build = _Builder()
    is_digit, start = False, 0
    for i, char in enumerate(text):
        if char in ".-":
            if i == start:
                build.current.append(0)
            else:
                build.add(is_digit, text[start:i])
            start = i + 1
            if char == "-":
                build.open_list()
        elif char.isdigit():
            if not is_digit and i > start:
                if build.current:  # "1.0.0.X1 < 1.0.0-X2": treat .X as -X (Maven 3.8+)
                    build.open_list()
                build.current.append(_qualifier(text[start:i], True))
                start = i
                build.open_list()
            is_digit = True
        else:
            if is_digit and i > start:
                build.add(True, text[start:i])
                start = i
                build.open_list()
            is_digit = False
    if len(text) > start:
        if not is_digit and build.current:  # a trailing .X is read as -X too
            build.open_list()
        build.add(is_digit, text[start:])
    for items in reversed(build.stack):
        _normalize(items)
    return _freeze(build.root)


def _cmp_null(item: object) -> int:
    """``item.compareTo(null)``."""
    if isinstance(item, int):
        return 1 if item else 0
    if isinstance(item, Qualifier):
        return _cmp_int(item.rank, _RELEASE_INDEX)
    assert isinstance(item, tuple)
    for sub in item:
        result = _cmp_null(sub)
        if result:
            return result
    return 0


def _cmp_int(a: int, b: int) -> int:
    return (a > b) - (a < b)


def _kind(item: object) -> int:
    """Type order for unlike items: string < list < number."""
    if isinstance(item, int):
        return 2
    if isinstance(item, Qualifier):
        return 0
    return 1


def _cmp_items(a: object, b: object) -> int:
    kind_a, kind_b = _kind(a), _kind(b)
    if kind_a != kind_b:
        return _cmp_int(kind_a, kind_b)
    if isinstance(a, int) and isinstance(b, int):
        return _cmp_int(a, b)
    if isinstance(a, Qualifier) and isinstance(b, Qualifier):
        return _cmp_str(a, b)
    assert isinstance(a, tuple) and isinstance(b, tuple)
    return _cmp_lists(a, b)


def _cmp_str(a: Qualifier, b: Qualifier) -> int:
    # comparableQualifier: "<index>" for known ones, "7-<text>" otherwise
    return _cmp_int(a.rank, b.rank) or ((a.text > b.text) - (a.text < b.text))


def _cmp_lists(a: tuple[object, ...], b: tuple[object, ...]) -> int:
    for i in range(max(len(a), len(b))):
        if i >= len(a):
            result = -_cmp_null(b[i])
        elif i >= len(b):
            result = _cmp_null(a[i])
        else:
            result = _cmp_items(a[i], b[i])
        if result:
            return result
    return 0


@total_ordering
class MavenKey:
    """Parsed Maven version; compares with Maven's recursive rules."""

    __slots__ = ("items",)

    def __init__(self, items: tuple[object, ...]) -> None:
        self.items = items

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MavenKey) and _cmp_lists(self.items, other.items) == 0

    def __lt__(self, other: MavenKey) -> bool:
        return _cmp_lists(self.items, other.items) < 0

    def __hash__(self) -> int:
        return hash(self.items)

    def __repr__(self) -> str:
        return f"MavenKey({self.items!r})"


@lru_cache(maxsize=PARSE_CACHE_SIZE)
def parse(version: str) -> MavenKey:
    """Key of a Maven version; raises :class:`InvalidVersion`."""
    if not version or not version.isascii() or not version.isprintable():
        raise InvalidVersion(_SCHEME, version, "empty, non-ASCII or control characters")
    if any(c.isspace() for c in version):
        raise InvalidVersion(_SCHEME, version, "contains whitespace")
    return MavenKey(_parse_items(version))


def compare(a: str, b: str) -> int:
    """Maven's ``compareTo`` of two version strings."""
    return _cmp_lists(parse(a).items, parse(b).items)


COMPARATOR = KeyComparator(_SCHEME, parse)
