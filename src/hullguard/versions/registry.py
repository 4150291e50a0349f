"""The registry: one comparator per :class:`VersionScheme`.

Owns ``COMPARATORS`` and the lookups callers use (by scheme, by OSV ecosystem,
by purl type). Kept apart from ``interface.py`` so the implementations can
import the interface without an import cycle.
"""

from __future__ import annotations

from collections.abc import Iterable

from hullguard.versions import (
    apk,
    composer,
    dpkg,
    generic,
    golang,
    maven,
    nuget,
    pep440,
    rpm,
    rubygems,
    semver,
)
from hullguard.versions.interface import (
    Comparator,
    InvalidVersion,
    VersionScheme,
    scheme_for_ecosystem,
    scheme_for_purl_type,
)

COMPARATORS: dict[VersionScheme, Comparator] = {
    VersionScheme.DPKG: dpkg.COMPARATOR,
    VersionScheme.RPM: rpm.COMPARATOR,
    VersionScheme.APK: apk.COMPARATOR,
    VersionScheme.PEP440: pep440.COMPARATOR,
    VersionScheme.SEMVER: semver.COMPARATOR,
    VersionScheme.NPM: semver.NPM_COMPARATOR,
    VersionScheme.GOLANG: golang.COMPARATOR,
    VersionScheme.MAVEN: maven.COMPARATOR,
    VersionScheme.RUBYGEMS: rubygems.COMPARATOR,
    VersionScheme.NUGET: nuget.COMPARATOR,
    VersionScheme.COMPOSER: composer.COMPARATOR,
    VersionScheme.GENERIC: generic.COMPARATOR,
}


def comparator_for(scheme: VersionScheme | str) -> Comparator:
    """The comparator of ``scheme`` (a :class:`VersionScheme` or its value)."""
    if isinstance(scheme, VersionScheme):  # hot path: skip the enum constructor
        return COMPARATORS[scheme]
    return COMPARATORS[VersionScheme(scheme)]


def comparator_for_ecosystem(ecosystem: str) -> Comparator:
    """The comparator of an OSV ecosystem such as ``Debian:12``."""
    return COMPARATORS[scheme_for_ecosystem(ecosystem)]


def comparator_for_purl_type(purl_type: str) -> Comparator:
    """The comparator of a purl type such as ``deb``."""
    return COMPARATORS[scheme_for_purl_type(purl_type)]


def sort_versions(versions: Iterable[str], scheme: VersionScheme) -> tuple[str, ...]:
    """Distinct versions in ``scheme`` order (text order when one does not parse)."""
    distinct = set(versions)
    try:
        return tuple(sorted(distinct, key=COMPARATORS[scheme].parse))
    except (InvalidVersion, TypeError):
        return tuple(sorted(distinct))
