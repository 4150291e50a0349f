"""Version keys as plain JSON values that order exactly like the comparators' keys.

Owns the *portable* keys stored in the vulnerability database at import time
(ADR 0145): nested lists of ints and strings, compared with Python's ``<``
like the comparator's own key, so a fresh process matches a version with list
comparisons instead of parsing every bound again. Encoded with ``json``, never
pickle: databases travel through registries.

``ENCODERS`` maps a :class:`VersionScheme` whose parser yields such a total
order key to its encoder (dpkg, apk, semver, npm, Go: tuples become lists;
PEP 440: packaging's documented comparison key rebuilt from the public
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

from hullguard.versions.interface import PARSE_CACHE_SIZE, VersionKey, VersionScheme

Encoder = Callable[[VersionKey], Any]


def lists(key: VersionKey) -> Any:
    """A key made of tuples, ints and strings, with every tuple as a list."""
    if isinstance(key, tuple):
        return [lists(item) for item in key]
    return key


def dpkg_lists(key: VersionKey) -> Any:
    """:func:`lists` for a dpkg key ``(epoch, upstream, revision)`` (hot path, unrolled)."""
    epoch, upstream, revision = key
    return [epoch, [[list(o), n] for o, n in upstream], [[list(o), n] for o, n in revision]]


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
    VersionScheme.DPKG: dpkg_lists,
    VersionScheme.APK: lists,
    VersionScheme.SEMVER: lists,
    VersionScheme.NPM: lists,
    VersionScheme.GOLANG: lists,
    VersionScheme.PEP440: pep440_key,
}


def encoder_for(parse_scheme: VersionScheme | None) -> Encoder | None:
    """The encoder of a scheme's keys (``None``: semver-typed keys, always lists)."""
    return lists if parse_scheme is None else ENCODERS.get(parse_scheme)


@lru_cache(maxsize=64)
def portable_parser(parse: Callable[[str], VersionKey], encode: Encoder) -> Callable[[str], Any]:
    """``encode(parse(version))``, cached per version string."""

    @lru_cache(maxsize=PARSE_CACHE_SIZE)
    def portable(version: str) -> Any:
        return encode(parse(version))

    return portable
