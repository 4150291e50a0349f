"""Version schemes, comparators, ranges and OSV range evaluation.

One strict comparator per scheme (dpkg, rpm, apk, PEP 440, semver, npm, Go,
Maven, RubyGems, NuGet, Composer, generic) behind :class:`Comparator`;
interval ranges (:class:`VersionRange`), npm ranges (:class:`NpmRange`) and
the OSV ``affected`` evaluation (:func:`osv_affected`). A version that does
not parse raises :class:`InvalidVersion`: callers report it as skipped.
"""

from hullguard.versions.interface import (
    OSV_ECOSYSTEMS,
    PURL_TYPES,
    Comparator,
    InvalidVersion,
    VersionKey,
    VersionScheme,
    scheme_for_ecosystem,
    scheme_for_purl_type,
)
from hullguard.versions.npm_range import NpmRange
from hullguard.versions.osv import (
    is_withdrawn,
    osv_affected,
    osv_range_to_version_range,
    range_includes,
)
from hullguard.versions.ranges import Bound, Interval, SchemeMismatch, VersionRange
from hullguard.versions.registry import (
    COMPARATORS,
    comparator_for,
    comparator_for_ecosystem,
    comparator_for_purl_type,
)

__all__ = [
    "COMPARATORS",
    "OSV_ECOSYSTEMS",
    "PURL_TYPES",
    "Bound",
    "Comparator",
    "Interval",
    "InvalidVersion",
    "NpmRange",
    "SchemeMismatch",
    "VersionKey",
    "VersionRange",
    "VersionScheme",
    "comparator_for",
    "comparator_for_ecosystem",
    "comparator_for_purl_type",
    "is_withdrawn",
    "osv_affected",
    "osv_range_to_version_range",
    "range_includes",
    "scheme_for_ecosystem",
    "scheme_for_purl_type",
]
