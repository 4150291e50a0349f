"""Semantic Versioning 2.0.0 (semver.org), strict, and npm's version syntax.

Owns the precedence key shared by every semver-like scheme:
``(major, minor, patch, prerelease)`` where a release sorts after all of its
pre-releases, numeric identifiers sort numerically and before alphanumeric
ones, and build metadata is ignored. ``parse`` accepts exactly the semver.org
grammar (no ``v``, no leading zeros); ``parse_npm`` accepts what node-semver's
``new SemVer(v)`` accepts in strict mode (surrounding spaces and one leading
``v``). Both are checked against the ``semver`` npm package.
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

_NUM = r"0|[1-9][0-9]*"
_PRE_ID = rf"(?:[0-9]*[a-zA-Z-][a-zA-Z0-9-]*|{_NUM})"
_BUILD_ID = r"[0-9a-zA-Z-]+"
CORE = (
    rf"({_NUM})\.({_NUM})\.({_NUM})"
    rf"(?:-({_PRE_ID}(?:\.{_PRE_ID})*))?"
    rf"(?:\+({_BUILD_ID}(?:\.{_BUILD_ID})*))?"
)
_SEMVER = re.compile(CORE)
_NPM = re.compile(rf"v?{CORE}")
#: node-semver's limits
MAX_LENGTH = 256
MAX_SAFE_INTEGER = 2**53 - 1

PreId = tuple[int, int, str]
Prerelease = tuple[object, ...]
SemverKey = tuple[int, int, int, Prerelease]
_RELEASE: Prerelease = (1,)


def prerelease_key(prerelease: str | None) -> Prerelease:
    """Key of a dot-separated pre-release; a release (None) sorts last."""
    if prerelease is None:
        return _RELEASE
    ids: list[PreId] = []
    for ident in prerelease.split("."):
        if ident.isdigit():
            ids.append((0, int(ident), ""))
        else:
            ids.append((1, 0, ident))
    return (0, *ids)


def key_from_match(match: re.Match[str]) -> SemverKey:
    """Key of a match of :data:`CORE` (groups: major, minor, patch, pre, build)."""
    return (int(match[1]), int(match[2]), int(match[3]), prerelease_key(match[4]))


@lru_cache(maxsize=PARSE_CACHE_SIZE)
def parse(version: str) -> SemverKey:
    """Key of a strict semver.org version; raises :class:`InvalidVersion`."""
    match = _SEMVER.fullmatch(version)
    if match is None:
        raise InvalidVersion(VersionScheme.SEMVER, version, "not a semver 2.0.0 version")
    return key_from_match(match)


@lru_cache(maxsize=PARSE_CACHE_SIZE)
def parse_npm(version: str) -> SemverKey:
    """Key of a version as node-semver parses it (strict mode)."""
    if len(version) > MAX_LENGTH:
        raise InvalidVersion(VersionScheme.NPM, version, f"longer than {MAX_LENGTH} characters")
    match = _NPM.fullmatch(version.strip())
    if match is None:
        raise InvalidVersion(VersionScheme.NPM, version, "not a valid npm (semver) version")
    key = key_from_match(match)
    if max(key[:3]) > MAX_SAFE_INTEGER:
        raise InvalidVersion(VersionScheme.NPM, version, "a version number is too large")
    return key


COMPARATOR = KeyComparator(VersionScheme.SEMVER, parse)
NPM_COMPARATOR = KeyComparator(VersionScheme.NPM, parse_npm)
