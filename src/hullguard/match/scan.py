"""Library entry point: :func:`scan_packages` -> :class:`VulnReport`.

Matches packages against the database, reports end-of-life releases and
packages, applies ignore rules and VEX (keeping suppressed findings with their
reason), warns about stale data, filters for display and decides the gate.
Sans-I/O apart from the database lookups (the integrator opens the database
and reads ignore/VEX files, see :func:`load_ignore_files`/:func:`load_vex_files`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from hullguard.errors import UsageError
from hullguard.match.eol import package_notices, relabel, release_notice
from hullguard.match.gate import decide, displayed
from hullguard.match.gcpause import gc_paused
from hullguard.match.keys import distro_namespace
from hullguard.match.matcher import AdvisoryIndex, match_packages
from hullguard.match.model import IgnoreRule, VexStatement, VulnOptions, VulnReport
from hullguard.match.suppress import apply_suppressions, parse_ignore_file
from hullguard.match.vex import parse_vex
from hullguard.model.package import OSInfo, Package
from hullguard.vulndb.interface import SupportEnded


class ScanDB(AdvisoryIndex, Protocol):
    """What :func:`scan_packages` needs from a database (``VulnDB`` provides it)."""

    built_at: datetime | None

    def support_ended(self, namespace: str) -> list[SupportEnded]: ...

    def has_namespace(self, namespace: str) -> bool: ...


def _coverage_warnings(
    packages: Sequence[Package], namespace: str, os_info: OSInfo | None, db: ScanDB
) -> list[str]:
    """Say so when distro packages cannot be matched: never a silent zero."""
    os_packages = sum(1 for p in packages if p.type.is_os)
    if not os_packages:
        return []
    if not namespace:
        what = f"{os_info.id} {os_info.version_id}".strip() if os_info else "not detected"
        return [f"{os_packages} OS package(s) not matched: no advisory data for this OS ({what})"]
    if not db.has_namespace(namespace):
        return [f"{os_packages} OS package(s) not matched: the database has no {namespace} data "
                "(import the distro's feed: Debian tracker/OVAL, Alpine secdb)"]  # fmt: skip
    return []


def _age_warning(built_at: datetime | None, now: datetime, stale: timedelta) -> list[str]:
    if built_at is None:
        return ["the vulnerability database has no build time; its age is unknown"]
    age = now - built_at
    if age <= stale:
        return []
    return [
        f"the vulnerability database is {age.days} day(s) old (built {built_at:%Y-%m-%d}); "
        "run `hullguard db update`"
    ]


def scan_packages(
    packages: Sequence[Package],
    os_info: OSInfo | None,
    db: ScanDB,
    options: VulnOptions,
    *,
    target: str = "",
    now: datetime | None = None,
) -> VulnReport:
    """Match, suppress and gate: everything a renderer needs."""
    with gc_paused():  # allocation-heavy and acyclic: see match.gcpause
        return _scan(packages, os_info, db, options, target, now or datetime.now(UTC))


def _scan(
    packages: Sequence[Package],
    os_info: OSInfo | None,
    db: ScanDB,
    options: VulnOptions,
    target: str,
    now: datetime,
) -> VulnReport:
    findings, skipped = match_packages(packages, os_info, db)
    namespace = distro_namespace(os_info)
    notices = []
    if namespace:
        release = release_notice(namespace, options.today)
        notices = ([release] if release else []) + package_notices(
            packages, os_info, db.support_ended(namespace), options.today
        )
    findings = relabel(findings, notices)
    active, suppressed, warnings = apply_suppressions(
        findings, options.ignore_rules, options.vex, options.today
    )
    warnings += _age_warning(db.built_at, now, options.stale_after)
    warnings += _coverage_warnings(packages, namespace, os_info, db)
    warnings += [
        f"{n.namespace} is end-of-life since {n.end_date}" for n in notices if not n.package
    ]
    age = (now - db.built_at).total_seconds() / 3600 if db.built_at else None
    return VulnReport(
        target=target,
        findings=tuple(active),
        displayed=tuple(displayed(active, options.display_min, options.ignore_unfixed)),
        suppressed=tuple(suppressed),
        skipped=tuple(skipped),
        eol=tuple(notices),
        warnings=tuple(warnings),
        db_built_at=db.built_at.isoformat() if db.built_at else "",
        db_age_hours=round(age, 1) if age is not None else None,
        decision=decide(active, len(suppressed), options.fail_on, options.ignore_unfixed),
        os_namespace=namespace,
        package_count=len(packages),
    )


def load_ignore_files(paths: Sequence[Path]) -> tuple[IgnoreRule, ...]:
    """Rules of the given ignore files (missing files are usage errors)."""
    return tuple(r for p in paths for r in parse_ignore_file(_read(p), str(p)))


def load_vex_files(paths: Sequence[Path]) -> tuple[VexStatement, ...]:
    """Statements of the given OpenVEX / CycloneDX VEX files."""
    return tuple(s for p in paths for s in parse_vex(_read(p), str(p)))


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from exc
