"""Go module versions, ordered as ``golang.org/x/mod/semver`` does.

Owns Go's version syntax: a ``v`` prefix, the ``vMAJOR`` and
``vMAJOR.MINOR`` shorthands (equal to ``.0.0`` / ``.0``), ``+incompatible``
and other build metadata (ignored for ordering), and pseudo-versions such as
``v0.0.0-20191109021931-daa7c04131f5`` (ordinary pre-releases, so the
commit time orders them). OSV's Go data writes the same versions without the
``v``; both spellings are accepted. ``go_toolchain_to_semver`` maps Go
toolchain names (``go1.21.3``, ``go1.22rc1``) to the semver the Go vulnerability
database uses for ``stdlib`` and ``toolchain``.
Checked against x/mod/semver itself (Debian's golang-golang-x-mod-dev).
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
from hullguard.versions.semver import SemverKey, prerelease_key

_SCHEME = VersionScheme.GOLANG
_NUM = r"0|[1-9][0-9]*"
_PRE_ID = rf"(?:[0-9]*[a-zA-Z-][a-zA-Z0-9-]*|{_NUM})"
_GO = re.compile(
    rf"v?({_NUM})(?:\.({_NUM})(?:\.({_NUM})"
    rf"(?:-({_PRE_ID}(?:\.{_PRE_ID})*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?)?)?"
)
_TOOLCHAIN = re.compile(
    r"(?:go)?([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?(?:(alpha|beta|rc)([0-9]+))?"
)


@lru_cache(maxsize=PARSE_CACHE_SIZE)
def parse(version: str) -> SemverKey:
    """Key of a Go module version (``v`` optional); raises :class:`InvalidVersion`."""
    match = _GO.fullmatch(version)
    if match is None:
        raise InvalidVersion(_SCHEME, version, "not a Go module (semantic) version")
    major, minor, patch, pre = match[1], match[2], match[3], match[4]
    return (int(major), int(minor or 0), int(patch or 0), prerelease_key(pre))


def go_toolchain_to_semver(name: str) -> str:
    """``go1.21.3`` -> ``1.21.3``, ``go1.22rc1`` -> ``1.22.0-rc.1``, ``go1.20`` -> ``1.20.0``.

    The mapping the Go vulnerability database uses for ``stdlib``/``toolchain``.
    """
    match = _TOOLCHAIN.fullmatch(name.strip())
    if match is None:
        raise InvalidVersion(_SCHEME, name, "not a Go toolchain version such as go1.21.3")
    major, minor, patch, pre, pre_num = match.groups()
    text = f"{int(major)}.{int(minor or 0)}.{int(patch or 0)}"
    return f"{text}-{pre}.{int(pre_num)}" if pre else text


COMPARATOR = KeyComparator(_SCHEME, parse)
