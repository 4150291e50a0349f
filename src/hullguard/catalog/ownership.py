"""File ownership between OS packages and language packages.

A language package whose every evidence path is a file installed by an OS package
(dpkg list, apk ``R:`` records, rpm file names) is the OS package's content: Debian's
``python3-yaml`` is a deb, not a second PyPI package. Such packages are dropped.
"""

from __future__ import annotations

from collections.abc import Iterable

from hullguard.model.package import Package


def os_owned_files(packages: Iterable[Package]) -> frozenset[str]:
    """Every file an OS package in ``packages`` says it installed."""
    owned: set[str] = set()
    for pkg in packages:
        if pkg.type.is_os:
            owned.update(pkg.owned_files)
    return frozenset(owned)


def drop_os_owned(packages: list[Package]) -> list[Package]:
    """``packages`` without the non-OS packages found only in OS-owned files."""
    owned = os_owned_files(packages)
    if not owned:
        return list(packages)
    return [
        pkg
        for pkg in packages
        if pkg.type.is_os or not pkg.evidence or not all(ev.path in owned for ev in pkg.evidence)
    ]
