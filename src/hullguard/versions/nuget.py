"""NuGet package versions, ordered as NuGet.Versioning's ``VersionComparer``.

Owns NuGet's version rules: one to four numeric parts
(``major.minor.patch.revision``, missing parts are 0, so ``1.0`` equals
``1.0.0.0``), SemVer 2.0 release labels compared label by label with numbers
before words and words compared case-insensitively (``OrdinalIgnoreCase``),
a release sorting after its pre-releases, and build metadata ignored.
No .NET runtime exists on Debian; the rules are checked against cases taken
from NuGet.Versioning's documented behaviour (tests/unit/versions).
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

_SCHEME = VersionScheme.NUGET
_LABEL = r"[0-9A-Za-z-]+"
_NUGET = re.compile(
    r"([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?(?:\.([0-9]+))?"
    rf"(?:-({_LABEL}(?:\.{_LABEL})*))?(?:\+({_LABEL}(?:\.{_LABEL})*))?",
    re.ASCII,
)
_INT32 = re.compile(r"-?[0-9]+")
_INT32_MAX = 2**31 - 1
_RELEASE = (1,)

NugetKey = tuple[int, int, int, int, tuple[object, ...]]


def _label_key(label: str) -> tuple[int, int, str]:
    """``Int32.TryParse`` labels compare as numbers, before any word."""
    if _INT32.fullmatch(label) and -_INT32_MAX - 1 <= int(label) <= _INT32_MAX:
        return (0, int(label), "")
    return (1, 0, label.upper())


@lru_cache(maxsize=PARSE_CACHE_SIZE)
def parse(version: str) -> NugetKey:
    """Key of a NuGet version; raises :class:`InvalidVersion`."""
    match = _NUGET.fullmatch(version.strip())
    if match is None:
        raise InvalidVersion(_SCHEME, version, "not a NuGet version (1 to 4 numbers, labels)")
    numbers = [int(part or 0) for part in match.groups()[:4]]
    if max(numbers) > _INT32_MAX:
        raise InvalidVersion(_SCHEME, version, "a version number does not fit in 32 bits")
    labels = match[5]
    release = _RELEASE if labels is None else (0, *(_label_key(x) for x in labels.split(".")))
    return (numbers[0], numbers[1], numbers[2], numbers[3], release)


COMPARATOR = KeyComparator(_SCHEME, parse)
