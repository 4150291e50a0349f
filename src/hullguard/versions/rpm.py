"""RPM versions (``[epoch:]version[-release]``), ordered as rpm's ``rpmvercmp``.

Owns the port of ``rpmvercmp`` (rpmio/rpmvercmp.c, rpm 4.18) and of the
epoch/version/release comparison of ``rpm.labelCompare``. A string becomes a
tuple of tokens, with class ranks ``~`` < end < ``^`` < alphabetic < numeric,
so tuple comparison gives the same answer as the C loop; separators (any
non-alphanumeric character other than ``~`` and ``^``) are skipped.
A missing release sorts before any release, as ``labelCompare`` treats None.
Verified against python3-rpm ``labelCompare`` (tests/unit/versions).
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

_SCHEME = VersionScheme.RPM
_TOKEN = re.compile(r"~|\^|[0-9]+|[A-Za-z]+")
_TILDE = (0, 0, "")
_END = (1, 0, "")
_CARET = (2, 0, "")

RpmToken = tuple[int, int, str]
RpmString = tuple[RpmToken, ...]
RpmKey = tuple[RpmString, RpmString, RpmString]


def vercmp_key(text: str) -> RpmString:
    """Sort key of one epoch, version or release string (``rpmvercmp``)."""
    tokens: list[RpmToken] = []
    for tok in _TOKEN.findall(text):
        if tok == "~":
            tokens.append(_TILDE)
        elif tok == "^":
            tokens.append(_CARET)
        elif tok[0].isdigit():
            tokens.append((4, int(tok), ""))
        else:
            tokens.append((3, 0, tok))
    tokens.append(_END)
    return tuple(tokens)


def _check(version: str, text: str, what: str) -> None:
    if not text:
        raise InvalidVersion(_SCHEME, version, f"{what} is empty")
    if not text.isascii() or not text.isprintable() or any(c.isspace() for c in text):
        raise InvalidVersion(_SCHEME, version, f"{what} has spaces or non-ASCII characters")


@lru_cache(maxsize=PARSE_CACHE_SIZE)
def parse(version: str) -> RpmKey:
    """Sort key of ``[epoch:]version[-release]``; raises :class:`InvalidVersion`."""
    epoch, text = "0", version
    if ":" in text:
        epoch, text = text.split(":", 1)
        if not (epoch.isascii() and epoch.isdigit()):
            raise InvalidVersion(_SCHEME, version, "epoch is not a number")
    upstream, sep, release = text.rpartition("-")
    if not sep:
        upstream = text
    _check(version, upstream, "version")
    if sep:
        _check(version, release, "release")
    # labelCompare: a missing release (None) sorts before every release string
    release_key = vercmp_key(release) if sep else ()
    return (vercmp_key(epoch), vercmp_key(upstream), release_key)


def label_key(epoch: str | None, version: str, release: str | None) -> RpmKey:
    """Sort key of an (epoch, version, release) triple as an rpm header holds it."""
    text = version if release is None else f"{version}-{release}"
    return parse(text if epoch in (None, "") else f"{epoch}:{text}")


COMPARATOR = KeyComparator(_SCHEME, parse)
