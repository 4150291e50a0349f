"""End-of-life: distro releases past support and Debian's early-ended packages.

Release end dates come from :data:`DISTRO_EOL`; per-package early ends from
the imported ``security-support-ended.debN`` lists (the package column may be
a regular expression; version ``0`` covers every version, otherwise versions
up to the last supported one). Findings of such packages that have no fix are
re-labelled end-of-life.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from hullguard.match.keys import lookup_key
from hullguard.match.model import EolNotice, Finding, FindingStatus
from hullguard.model.package import OSInfo, Package, PackageType
from hullguard.versions import InvalidVersion, comparator_for
from hullguard.versions.interface import VersionScheme
from hullguard.vulndb.interface import SupportEnded
from hullguard.vulndb.namespaces import DISTRO_EOL


def release_notice(namespace: str, today: date) -> EolNotice | None:
    end = DISTRO_EOL.get(namespace)
    if end is None or end > today:
        return None
    return EolNotice(namespace, "", end.isoformat(), "distribution release is end-of-life")


def _pattern(text: str) -> re.Pattern[str]:
    try:
        return re.compile(text)
    except re.error:
        return re.compile(re.escape(text))


def _covers(row: SupportEnded, version: str) -> bool:
    if row.last_version == "0":
        return True
    try:
        return comparator_for(VersionScheme.DPKG).compare(version, row.last_version) <= 0
    except InvalidVersion:
        return False


def package_notices(
    packages: Sequence[Package],
    os_info: OSInfo | None,
    rows: Sequence[SupportEnded],
    today: date,
) -> list[EolNotice]:
    """Early end-of-support notices for the given (distro) packages."""
    active = [
        (r, _pattern(r.name_pattern)) for r in rows if date.fromisoformat(r.end_date) <= today
    ]
    if not active:
        return []
    # only dpkg packages get a ``debian:`` key: the others need no look-up
    keys = {lookup_key(p, os_info) for p in packages if p.type is PackageType.DEB}
    out: set[EolNotice] = set()
    for key in keys:
        if key is None or not key.namespace.startswith("debian:"):
            continue
        for row, pattern in active:
            if pattern.fullmatch(key.name) and _covers(row, key.version):
                out.add(EolNotice(key.namespace, key.name, row.end_date, row.details))
    return sorted(out, key=lambda n: (n.namespace, n.package))


def relabel(findings: Sequence[Finding], notices: Sequence[EolNotice]) -> list[Finding]:
    """Unfixed findings of end-of-life packages/releases get status end-of-life."""
    ended = {(n.namespace, n.package) for n in notices}
    out = []
    for f in findings:
        if f.status is FindingStatus.AFFECTED_NO_FIX and (
            (f.namespace, "") in ended or (f.namespace, f.lookup_name) in ended
        ):
            f = replace(f, status=FindingStatus.END_OF_LIFE)
        out.append(f)
    return out
