"""Version keys as plain JSON values that order exactly like the comparators' keys.

Owns the *portable* keys stored in the vulnerability database at import time
(ADR 0145): printable strings that compare with ``<`` exactly like the
comparator's own key (:func:`sortable`), so a fresh process matches a version
with string comparisons instead of parsing every bound again. Stored inside
JSON, never pickle: databases travel through registries.

``ENCODERS`` maps a :class:`VersionScheme` whose parser yields such a total
order key to its encoder (dpkg, apk, semver, npm, Go: the comparator's tuple
key; PEP 440: packaging's documented comparison key rebuilt from the public
``Version`` fields). Other schemes (rpm, Maven, ...) have none and are
compiled at match time as before. :func:`portable_parser` gives the function
a matcher applies to an installed version: the same strict parser (so an
invalid version raises the same :class:`InvalidVersion`), then the encoder.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from packaging.version import Version

from hullguard.versions.interface import (
    PARSE_CACHE_SIZE,
    InvalidVersion,
    VersionKey,
    VersionScheme,
)

Encoder = Callable[[VersionKey], Any]


_END = "!"  # end of a tuple: before every element
_STR_END = "#"  # end of a string: before every character a key string may hold
_COMPLEMENT = str.maketrans("0123456789", "9876543210")


def _int(n: int, out: list[str]) -> None:
    digits = str(abs(n))
    size = len(digits)
    if n >= 0:  # tag grows with the number of digits: "Q0" < "Q9" < "R10"
        out.append(chr(0x50 + size) if size < 40 else "y" + f"{size:06d}")
        out.append(digits)
    else:  # more digits = smaller; digits complemented so larger magnitudes sort first
        out.append(chr(0x4F - size) if size < 40 else "%" + f"{size:06d}".translate(_COMPLEMENT))
        out.append(digits.translate(_COMPLEMENT))


def _encode(item: Any, out: list[str]) -> None:
    if isinstance(item, (tuple, list)):
        out.append("[")
        for part in item:
            _encode(part, out)
        out.append(_END)
    elif isinstance(item, int) and not isinstance(item, bool):
        _int(item, out)
    elif isinstance(item, str) and (not item or min(item) > _STR_END):
        out.append("s")
        out.append(item)
        out.append(_STR_END)
    else:
        raise ValueError(f"no sortable form for {item!r}")


def sortable(key: Any) -> str:
    """A key of nested tuples/lists, ints and strings as a string in the same order.

    Keys of one scheme compare element by element and never compare an int with
    a string or a tuple at the same place (Python would raise), so tags only
    need to order values of one kind: ints by sign, digit count, digits; strings
    by their characters then a terminator below them; a tuple's end below any
    element (a prefix sorts first). Raises ``ValueError`` for anything else.
    """
    out: list[str] = []
    _encode(key, out)
    return "".join(out)


def _int_text(n: int) -> str:
    out: list[str] = []
    _int(n, out)
    return "".join(out)


#: dpkg's per-segment order tuples repeat (".", "-", "+dfsg"...): their encodings too
_ORDER_TEXTS: dict[tuple[int, ...], str] = {}


def _orders_text(orders: tuple[int, ...]) -> str:
    found = _ORDER_TEXTS.get(orders)
    if found is None:
        found = "[" + "".join(_int_text(i) for i in orders) + _END
        if len(orders) <= 9:  # bounded, like dpkg's own cache
            _ORDER_TEXTS[orders] = found
    return found


def dpkg_sortable(key: VersionKey) -> str:
    """:func:`sortable` of a dpkg key ``(epoch, upstream, revision)``, unrolled (hot path)."""
    epoch, upstream, revision = key
    parts = [
        "[" + "".join("[" + _orders_text(o) + _int_text(n) + _END for o, n in part) + _END
        for part in (upstream, revision)
    ]
    return "[" + _int_text(epoch) + parts[0] + parts[1] + _END


_PRE_RANK = {"a": 0, "b": 1, "rc": 2}
_PRE_DEV_ONLY, _PRE_NONE = -1, 3


def pep440_key(version: Version) -> list[Any]:
    """PEP 440 order as ``[epoch, release, suffix(, local)]`` (packaging's ``_cmpkey``).

    ``release`` has its trailing zeros removed (``1.0 == 1``); ``suffix`` is
    ``[pre rank, pre number, has post, post number, no dev, dev number]`` with a
    dev-only release before every pre-release and a final release after ``rc``;
    a local part sorts after none, its string segments before numeric ones.
    """
    release = list(version.release)
    while release and release[-1] == 0:
        release.pop()
    pre, post, dev = version.pre, version.post, version.dev
    if pre is None:
        pre_rank = _PRE_DEV_ONLY if post is None and dev is not None else _PRE_NONE
        pre_n = 0
    else:
        pre_rank, pre_n = _PRE_RANK[pre[0]], pre[1]
    suffix = [pre_rank, pre_n, int(post is not None), post or 0, int(dev is None), dev or 0]
    key: list[Any] = [version.epoch, release, suffix]
    if version.local is not None:
        key.append([[int(s), ""] if s.isdigit() else [-1, s] for s in version.local.split(".")])
    return key


#: schemes whose keys have a portable form, and how to make it
ENCODERS: dict[VersionScheme, Encoder] = {
    VersionScheme.DPKG: dpkg_sortable,
    VersionScheme.APK: sortable,
    VersionScheme.SEMVER: sortable,
    VersionScheme.NPM: sortable,
    VersionScheme.GOLANG: sortable,
    VersionScheme.PEP440: lambda version: sortable(pep440_key(version)),
}


def encoder_for(parse_scheme: VersionScheme | None) -> Encoder | None:
    """The encoder of a scheme's keys (``None``: semver-typed keys, plain tuples)."""
    return sortable if parse_scheme is None else ENCODERS.get(parse_scheme)


@lru_cache(maxsize=64)
def portable_parser(parse: Callable[[str], VersionKey], encode: Encoder) -> Callable[[str], Any]:
    """``encode(parse(version))``, cached per version string."""

    @lru_cache(maxsize=PARSE_CACHE_SIZE)
    def portable(version: str) -> Any:
        key = parse(version)  # raises InvalidVersion like the comparator
        try:
            return encode(key)
        except ValueError as exc:  # no valid version of these schemes gets here
            raise InvalidVersion("portable", version, str(exc)) from exc

    return portable
