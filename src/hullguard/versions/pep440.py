"""Python package versions (PEP 440), ordered by the ``packaging`` library.

Owns the adapter from ``packaging.version.Version`` to the comparator
protocol. Legacy (non-PEP 440) versions are rejected, as pip does today, so
they are reported as skipped instead of being guessed. ``packaging`` is the
reference implementation; the differential test checks our use of it on the
real PyPI OSV data.
"""

from __future__ import annotations

from functools import lru_cache

from packaging.version import InvalidVersion as PackagingInvalidVersion
from packaging.version import Version

from hullguard.versions.interface import (
    PARSE_CACHE_SIZE,
    InvalidVersion,
    KeyComparator,
    VersionScheme,
)

_SCHEME = VersionScheme.PEP440


@lru_cache(maxsize=PARSE_CACHE_SIZE)
def parse(version: str) -> Version:
    """Parsed version (itself the sort key); raises :class:`InvalidVersion`."""
    try:
        return Version(version)
    except PackagingInvalidVersion as exc:
        raise InvalidVersion(_SCHEME, version, "not a PEP 440 version") from exc


COMPARATOR = KeyComparator(_SCHEME, parse)
