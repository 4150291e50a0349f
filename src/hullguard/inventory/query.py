"""``who-has`` package specs: parsing and version-range evaluation (sans-I/O).

Accepted forms: ``NAME``, ``NAME<3.0.7``, ``NAME>=1.2,<2``, ``NAME@RANGE``
(npm range syntax for npm packages, comparator lists elsewhere), an
``ECOSYSTEM:`` prefix (``pypi:requests<2.31``, ``npm:lodash@<4.17.21``), or a
purl (``pkg:npm/lodash@4.17.20``: that exact version; no version: any).
Ranges are evaluated per package with the comparator of its ecosystem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from packageurl import PackageURL

from hullguard.errors import HullguardError, UsageError
from hullguard.inventory.names import ECOSYSTEMS, SCHEMES, normalise_name
from hullguard.model.package import PackageType
from hullguard.versions import (
    NpmRange,
    VersionRange,
    VersionScheme,
)

_OP = re.compile(r"^(==|=|!=|<=|>=|<|>)?\s*([0-9A-Za-z]\S*)$")
_RANGE_START = re.compile(r"[<>=!~^\s]")


@dataclass(frozen=True)
class PackageQuery:
    """A parsed ``who-has`` spec."""

    text: str
    name: str
    types: frozenset[PackageType] | None = None
    constraint: str = ""
    #: npm range syntax (``@RANGE`` on an npm query)
    npm_syntax: bool = False
    _cache: dict[tuple[str, str], bool] = field(default_factory=dict, compare=False, repr=False)

    @property
    def norm_names(self) -> tuple[str, ...]:
        """Every normalised form the name can take (one per candidate type)."""
        types = self.types or frozenset(PackageType)
        return tuple(sorted({normalise_name(t.value, self.name) for t in types}))

    def selects(self, package_type: str, version: str) -> bool:
        """Whether a package of that type and version matches; raises ``InvalidVersion``."""
        key = (package_type, version)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._evaluate(PackageType(package_type), version)
            self._cache[key] = hit
        return hit

    def _evaluate(self, package_type: PackageType, version: str) -> bool:
        if self.types is not None and package_type not in self.types:
            return False
        if not self.constraint:
            return True
        scheme = SCHEMES[package_type]
        if scheme is VersionScheme.NPM and self.npm_syntax:
            return NpmRange.parse(self.constraint).allows(version)
        return constraint_range(scheme, self.constraint).allows(version)


def constraint_range(scheme: VersionScheme, text: str) -> VersionRange:
    """``<3.0.7``, ``>=1.2,<2``, ``!=1.0``, ``1.2.3`` as a range of ``scheme``."""
    result = VersionRange.any(scheme)
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        m = _OP.match(part)
        if m is None:
            raise UsageError(f"cannot read version constraint {part!r}", hint="e.g. <3.0.7")
        result = result.intersect(_one(scheme, m.group(1) or "==", m.group(2)))
    return result


def _one(scheme: VersionScheme, op: str, version: str) -> VersionRange:
    between = VersionRange.between
    if op in ("==", "="):
        return VersionRange.exact(scheme, version)
    if op == "!=":
        return between(scheme, None, version).union(
            between(scheme, version, None, lower_inclusive=False)
        )
    if op == "<":
        return between(scheme, None, version)
    if op == "<=":
        return between(scheme, None, version, upper_inclusive=True)
    if op == ">":
        return between(scheme, version, None, lower_inclusive=False)
    return between(scheme, version, None)


def parse_query(text: str) -> PackageQuery:
    """Parse a ``who-has`` spec; a malformed one is a :class:`UsageError`."""
    spec = text.strip()
    if not spec:
        raise UsageError("empty package spec", hint="e.g. openssl<3.0.7 or pypi:requests<2.31")
    if spec.startswith("pkg:"):
        return _from_purl(spec)
    types: frozenset[PackageType] | None = None
    prefix, colon, rest = spec.partition(":")
    if colon and not _RANGE_START.search(prefix) and "/" not in prefix:
        types = ECOSYSTEMS.get(prefix.lower())
        if types is None:
            known = ", ".join(sorted(ECOSYSTEMS))
            raise UsageError(f"unknown ecosystem {prefix!r}", hint=f"use one of: {known}")
        spec = rest
    name, constraint, npm_syntax = _split(spec)
    if types == ECOSYSTEMS["maven"]:
        name = name.rpartition(":")[2]  # group:artifact -> artifact (stored by artifactId)
    if not name:
        raise UsageError(f"no package name in {text!r}", hint="e.g. openssl<3.0.7")
    query = PackageQuery(text, name, types, constraint, npm_syntax)
    _validate(query)
    return query


def _split(spec: str) -> tuple[str, str, bool]:
    at = spec.find("@", 1)
    if at > 0:
        return spec[:at].strip(), spec[at + 1 :].strip(), True
    m = _RANGE_START.search(spec)
    if m is None:
        return spec, "", False
    return spec[: m.start()].strip(), spec[m.start() :].strip(), False


def _from_purl(text: str) -> PackageQuery:
    try:
        purl = PackageURL.from_string(text)
    except ValueError as exc:
        raise UsageError(f"malformed purl {text!r}: {exc}") from None
    types = ECOSYSTEMS.get(purl.type)
    if types is None:
        raise UsageError(f"unsupported purl type {purl.type!r}")
    name = purl.name
    if purl.namespace and purl.type in ("npm", "golang"):
        name = f"{purl.namespace}/{purl.name}"
    constraint = f"=={purl.version}" if purl.version else ""
    return PackageQuery(text, name, types, constraint)


def _validate(query: PackageQuery) -> None:
    """Reject a constraint that no selected ecosystem can read (before touching the store)."""
    if not query.constraint:
        return
    problems: list[str] = []
    for package_type in sorted(query.types or frozenset(PackageType)):
        scheme = SCHEMES[package_type]
        try:
            if scheme is VersionScheme.NPM and query.npm_syntax:
                NpmRange.parse(query.constraint)
            else:
                constraint_range(scheme, query.constraint)
            return
        except HullguardError as exc:
            problems.append(exc.diagnostics())
    raise UsageError(f"cannot read the version range of {query.text!r}: {problems[0]}")
