"""Composer (Packagist) versions, ordered as composer/semver does.

Owns ports of composer/semver's ``VersionParser::normalize`` (``v1.2`` ->
``1.2.0.0``, ``1.0-b2`` -> ``1.0.0.0-beta2``, ``-dev`` and date versions,
numeric branches such as ``2.1.x-dev``) and of PHP's ``version_compare`` on
the normalized strings, which composer's ``Comparator`` uses: parts split at
``.``/``-``/``_``/``+`` and at digit/letter changes, numbers numerically,
words by rank ``dev`` < ``alpha``/``a`` < ``beta``/``b`` < ``RC``/``rc`` <
number < ``pl``/``p`` (other words before ``dev``). Named branches
(``dev-main``) cannot be ordered and are rejected.

Each part becomes ``(rank, number)``, with a number as ``(4, n)`` and a final
``(4, -1)`` marker standing for PHP's "compare the rest with ``#``", so tuple
comparison matches ``version_compare``. Checked against PHP's
``Composer\\Semver\\Comparator`` (Debian's php-composer-semver).
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

_SCHEME = VersionScheme.COMPOSER
_MODIFIER = r"[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\d+)*+)?)?([.-]?dev)?"
_CLASSICAL = re.compile(
    r"v?(\d{1,5})(\.\d++)?(\.\d++)?(\.\d++)?" + _MODIFIER, re.IGNORECASE | re.ASCII
)
_DATETIME = re.compile(
    r"v?(\d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3})?)" + _MODIFIER, re.IGNORECASE | re.ASCII
)
_BRANCH = re.compile(r"v?(\d++)(\.(?:\d++|[xX*]))?(\.(?:\d++|[xX*]))?(\.(?:\d++|[xX*]))?", re.ASCII)
_DEV_SUFFIX = re.compile(r"(.*?)[.-]?dev", re.IGNORECASE | re.DOTALL)
_STABILITY = {"a": "alpha", "b": "beta", "p": "patch", "pl": "patch", "rc": "RC"}
_FORMS: tuple[tuple[str, int], ...] = (
    ("dev", 0),
    ("alpha", 1),
    ("a", 1),
    ("beta", 2),
    ("b", 2),
    ("RC", 3),
    ("rc", 3),
    ("#", 4),
    ("pl", 5),
    ("p", 5),
)
_PART = re.compile(r"[0-9]+|[^0-9.]+")
_END = (4, -1)

ComposerKey = tuple[tuple[int, int], ...]


def _expand(stability: str) -> str:
    lower = stability.lower()
    return _STABILITY.get(lower, lower)


def _with_modifiers(version: str, match: re.Match[str], index: int) -> str:
    stability, number, dev = match[index], match[index + 1], match[index + 2]
    if stability:
        if stability == "stable":
            return version
        version += "-" + _expand(stability) + (number.lstrip(".-") if number else "")
    if dev:
        version += "-dev"
    return version


def _normalize_branch(name: str) -> str | None:
    match = _BRANCH.fullmatch(name.strip())
    if match is None:
        return None
    parts = [match[i].replace("*", "x").replace("X", "x") if match[i] else ".x" for i in (2, 3, 4)]
    return (match[1] + "".join(parts)).replace("x", "9999999") + "-dev"


def normalize(version: str) -> str:
    """composer/semver ``VersionParser::normalize`` for exact versions."""
    text = version.strip()
    text = re.sub(r"@(?:stable|RC|beta|alpha|dev)$", "", text, flags=re.IGNORECASE)
    if text.lower().startswith("dev-") or text in ("master", "trunk", "default"):
        raise InvalidVersion(_SCHEME, version, "a named branch has no order")
    build = re.fullmatch(r"([^,\s+]++)\+[^\s]++", text)
    if build:
        text = build[1]
    match = _CLASSICAL.fullmatch(text)
    if match:
        head = match[1] + "".join(match[i] or ".0" for i in (2, 3, 4))
        return _with_modifiers(head, match, 5)
    match = _DATETIME.fullmatch(text)
    if match:
        return _with_modifiers(re.sub(r"\D", ".", match[1]), match, 2)
    dev = _DEV_SUFFIX.fullmatch(text)
    branch = _normalize_branch(dev[1]) if dev else None
    if branch is None:
        raise InvalidVersion(_SCHEME, version, "not a Composer version")
    return branch


def _form_rank(word: str) -> int:
    """PHP ``compare_special_version_forms``: first form that prefixes the word."""
    for name, rank in _FORMS:
        if word.startswith(name):
            return rank
    return -1


def version_compare_key(normalized: str) -> ComposerKey:
    """Tuple key equivalent to PHP's ``version_compare`` on canonical parts."""
    parts: list[tuple[int, int]] = []
    for part in _PART.findall(re.sub(r"[-_+]|[^0-9A-Za-z.]", ".", normalized)):
        parts.append((4, int(part)) if part.isdigit() else (_form_rank(part), 0))
    parts.append(_END)
    return tuple(parts)


@lru_cache(maxsize=PARSE_CACHE_SIZE)
def parse(version: str) -> ComposerKey:
    """Key of a Composer version; raises :class:`InvalidVersion`."""
    if not version.isascii():
        raise InvalidVersion(_SCHEME, version, "non-ASCII characters")
    return version_compare_key(normalize(version))


COMPARATOR = KeyComparator(_SCHEME, parse)
